namespace PlanAct.Trajectories;

/// <summary>Infers a WebArena-Lite site from a page when a record names none (SPEC §1.1; the order of checks matters).</summary>
internal static class SiteDetector
{
    public const string Unknown = "unknown";

    private static readonly (string Site, string[] Markers)[] Rules =
    [
        ("map", ["OpenStreetMap"]),
        ("shopping_admin", ["Magento Admin Panel", "Braintree Virtual Terminal", "Manage Encryption Key"]),
        ("shopping", ["One Stop Market", "My Wish List", "My Cart"]),
        ("gitlab", ["GitLab"]),
        ("reddit", ["Postmill"]),
    ];

    /// <summary>A WebArena site from the page's markers, else the host of <paramref name="url"/> (when known), else <see cref="Unknown"/>.</summary>
    public static string Detect(string page, string? url)
    {
        var site = Detect(page);
        if (site != Unknown || url is null)
        {
            return site;
        }

        return Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri) && uri.Host.Length > 0 ? uri.Host.ToLowerInvariant() : Unknown;
    }

    public static string Detect(string html)
    {
        foreach (var (site, markers) in Rules)
        {
            if (markers.Any(m => html.Contains(m, StringComparison.Ordinal)))
            {
                return site;
            }
        }

        return Unknown;
    }
}
