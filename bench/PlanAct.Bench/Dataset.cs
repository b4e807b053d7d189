using System.Globalization;
using System.Text.Json;
using PlanAct.Trajectories;

namespace PlanAct.Bench;

/// <summary>What a generated data set holds; its presence marks the data set complete (it is written last).</summary>
internal sealed record DatasetManifest(string Source, int Trajectories, int Steps, long SftBytes, long JsonlBytes);

/// <summary>
/// The same trajectories as a WebArena-Lite SFT array and as planact JSONL: sample trajectories replicated with a
/// numbered task, so every trajectory is distinct and groups on its own.
/// </summary>
internal sealed class Dataset
{
    private const string ManifestFile = "manifest.json";

    private readonly SampleTrajectories _samples;

    private Dataset(string folder, string name, SampleTrajectories samples, DatasetManifest manifest)
    {
        Folder = folder;
        Name = name;
        _samples = samples;
        Manifest = manifest;
    }

    public string Folder { get; }

    public string Name { get; }

    public DatasetManifest Manifest { get; }

    public string SftPath => SftPathOf(Folder, Name);

    public string JsonlPath => JsonlPathOf(Folder, Name);

    /// <summary>The data set of at least <paramref name="sizeMb"/> MiB of SFT JSON in <paramref name="workDirectory"/>, generated unless already there.</summary>
    public static async Task<(Dataset Dataset, bool Generated)> EnsureAsync(
        string workDirectory, int sizeMb, SampleTrajectories samples, CancellationToken cancellationToken)
    {
        var folder = Path.Combine(workDirectory, $"reader-{sizeMb}mb");
        var target = sizeMb * (long)Units.MiB;
        if (await ReadManifestAsync(folder, "all", cancellationToken) is { } cached && cached.Source == samples.Source && cached.SftBytes >= target)
        {
            return (new Dataset(folder, "all", samples, cached), false);
        }

        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }

        Directory.CreateDirectory(folder);
        var count = await TrajectoriesForSizeAsync(folder, samples, target, cancellationToken);
        var dataset = await GenerateAsync(folder, "all", samples, count, cancellationToken);
        if (dataset.Manifest.SftBytes < target)
        {
            throw new InvalidOperationException($"generated {dataset.Manifest.SftBytes} bytes of SFT JSON, fewer than the {target} asked for");
        }

        return (dataset, true);
    }

    /// <summary>The first <paramref name="trajectories"/> trajectories of this data set in files of their own (cached).</summary>
    public async Task<Dataset> PrefixAsync(int trajectories, CancellationToken cancellationToken)
    {
        if (trajectories >= Manifest.Trajectories)
        {
            return this;
        }

        var name = string.Create(CultureInfo.InvariantCulture, $"first-{trajectories}");
        return await ReadManifestAsync(Folder, name, cancellationToken) is { } cached
            ? new Dataset(Folder, name, _samples, cached)
            : await GenerateAsync(Folder, name, _samples, trajectories, cancellationToken);
    }

    private static IAsyncEnumerable<Trajectory> Copies(SampleTrajectories samples, int count) =>
        Enumerable.Range(0, count).Select(samples.Copy).ToAsyncEnumerable();

    /// <summary>Whole cycles of samples enough for <paramref name="targetBytes"/>, from the SFT size of one cycle.</summary>
    private static async Task<int> TrajectoriesForSizeAsync(string folder, SampleTrajectories samples, long targetBytes, CancellationToken cancellationToken)
    {
        var probe = Path.Combine(folder, "cycle-probe.json");
        var perCycle = samples.Trajectories.Count;
        await SftTrajectoryWriter.WriteAsync(probe, Copies(samples, perCycle), cancellationToken: cancellationToken);
        var cycleBytes = new FileInfo(probe).Length;
        File.Delete(probe);
        var cycles = (int)Math.Ceiling((double)targetBytes / cycleBytes);
        return checked(cycles * perCycle);
    }

    private static async Task<Dataset> GenerateAsync(string folder, string name, SampleTrajectories samples, int count, CancellationToken cancellationToken)
    {
        var sft = SftPathOf(folder, name);
        var jsonl = JsonlPathOf(folder, name);
        await SftTrajectoryWriter.WriteAsync(sft, Copies(samples, count), cancellationToken: cancellationToken);
        await TrajectoryJsonl.WriteAsync(jsonl, Copies(samples, count), cancellationToken);
        var steps = Enumerable.Range(0, count).Sum(i => samples.Trajectories[i % samples.Trajectories.Count].Steps.Count);
        var manifest = new DatasetManifest(samples.Source, count, steps, new FileInfo(sft).Length, new FileInfo(jsonl).Length);
        await File.WriteAllTextAsync(ManifestPathOf(folder, name), JsonSerializer.Serialize(manifest, BenchJsonContext.Default.DatasetManifest), cancellationToken);
        return new Dataset(folder, name, samples, manifest);
    }

    private static async Task<DatasetManifest?> ReadManifestAsync(string folder, string name, CancellationToken cancellationToken)
    {
        var path = ManifestPathOf(folder, name);
        if (!File.Exists(path) || !File.Exists(SftPathOf(folder, name)) || !File.Exists(JsonlPathOf(folder, name)))
        {
            return null;
        }

        await using var stream = File.OpenRead(path);
        return await JsonSerializer.DeserializeAsync(stream, BenchJsonContext.Default.DatasetManifest, cancellationToken);
    }

    private static string SftPathOf(string folder, string name) => Path.Combine(folder, $"{name}.sft.json");

    private static string JsonlPathOf(string folder, string name) => Path.Combine(folder, $"{name}.jsonl");

    private static string ManifestPathOf(string folder, string name) => Path.Combine(folder, $"{name}.{ManifestFile}");
}
