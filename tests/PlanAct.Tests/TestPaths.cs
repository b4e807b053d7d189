namespace PlanAct.Tests;

/// <summary>Finds the repository, its samples and the real fixtures from the test's output folder; nothing outside the repository.</summary>
internal static class TestPaths
{
    public static string Root { get; } = FindRoot();

    public static string Samples => Path.Combine(Root, "samples");

    /// <summary>Copies of real data files that only tests use (provenance and licence in the README there).</summary>
    public static string RealFixture(string name) => Path.Combine(Root, "tests", "PlanAct.Tests", "Fixtures", "real", name);

    /// <summary>WebRL's 1,123 WebArena-Lite task intents, a sample (see samples/SOURCE.md).</summary>
    public static string WebArenaLiteTasks => Path.Combine(Samples, "webarena-lite-tasks.json");

    /// <summary>The real WebRL start pages by our site names (samples/pages, unmodified from WebRL's htmls.json).</summary>
    public static IReadOnlyDictionary<string, string> StartPages { get; } = LoadStartPages();

    public static string TempDir()
    {
        var dir = Path.Combine(Path.GetTempPath(), "planact-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "PlanAct.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("cannot find the repository root (PlanAct.slnx) above " + AppContext.BaseDirectory);
    }

    private static Dictionary<string, string> LoadStartPages() =>
        new[] { "shopping", "shopping_admin", "reddit", "gitlab", "map" }
            .ToDictionary(site => site, site => File.ReadAllText(Path.Combine(Samples, "pages", site + ".html")));
}
