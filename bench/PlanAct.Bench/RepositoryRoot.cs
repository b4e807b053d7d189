namespace PlanAct.Bench;

/// <summary>Finds the repository (the folder holding PlanAct.slnx) from the working directory or the program's folder.</summary>
internal static class RepositoryRoot
{
    private const string Marker = "PlanAct.slnx";

    public static string Find()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, Marker)))
                {
                    return dir.FullName;
                }
            }
        }

        throw new ArgumentException($"cannot find the repository root ({Marker}) above {Directory.GetCurrentDirectory()}; run the benchmark from inside the repository");
    }
}
