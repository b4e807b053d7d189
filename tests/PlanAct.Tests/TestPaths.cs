using System.Text.Json;

namespace PlanAct.Tests;

/// <summary>Finds the repository, its samples and the shared real fixtures from the test's output folder.</summary>
internal static class TestPaths
{
    public static string Root { get; } = FindRoot();

    public static string Samples => Path.Combine(Root, "samples");

    public static string RealFixtures => Path.Combine(Root, "..", "shared", "fixtures", "real");

    public static string RealFixture(string name) => Path.Combine(RealFixtures, name);

    /// <summary>The real WebRL start pages by our site names.</summary>
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

    private static Dictionary<string, string> LoadStartPages()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(RealFixture("webrl_htmls.json")));
        var pages = doc.RootElement[0];
        return new Dictionary<string, string>
        {
            ["shopping"] = pages.GetProperty("oss").GetString()!,
            ["shopping_admin"] = pages.GetProperty("cms").GetString()!,
            ["reddit"] = pages.GetProperty("reddit").GetString()!,
            ["gitlab"] = pages.GetProperty("gitlab").GetString()!,
            ["map"] = pages.GetProperty("map").GetString()!,
        };
    }
}
