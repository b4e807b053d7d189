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
