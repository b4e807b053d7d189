namespace PlanAct.Tests.Cli;

/// <summary>
/// The repository stands alone: a <c>git clone</c> of it (committed files only, which is the point) in an empty
/// temporary folder, with no <c>shared</c> folder beside it, runs the README quickstart's first command,
/// <c>dotnet run --project src/PlanAct.Cli -- run</c>. Slow: the clone is restored and built once, by that command.
/// </summary>
[Collection(nameof(FreshCloneTests))]
public class FreshCloneTests
{
    [Fact]
    public async Task A_fresh_clone_with_nothing_beside_it_runs_the_quickstart_dry_run()
    {
        var parent = TestPaths.TempDir();
        var clone = Path.Combine(parent, "planact");
        var cloned = await PlanactProcess.RunProgramAsync("git", parent, TimeSpan.FromMinutes(2), "clone", "--quiet", "--no-hardlinks", TestPaths.Root, clone);
        Assert.True(cloned.Code == 0, cloned.Output);
        Assert.Equal([clone], Directory.GetFileSystemEntries(parent));

        // Without the teacher variables (removed for every child) the quickstart is the dry run.
        var run = await PlanactProcess.RunProgramAsync("dotnet", clone, TimeSpan.FromMinutes(10), "run", "--project", "src/PlanAct.Cli", "--", "run");

        Assert.True(run.Code == 0, run.Output);
        Assert.Contains("no teacher is configured, so this was a dry run", run.Output, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(clone, "runs", "samples", "run.dryrun.json")), run.Output);
        Directory.Delete(parent, recursive: true);
    }
}

/// <summary>Runs the fresh-clone build alone, after the parallel tests, so it does not slow the timed ones on a small machine.</summary>
[CollectionDefinition(nameof(FreshCloneTests), DisableParallelization = true)]
public sealed class FreshCloneCollection;
