using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization;
using PlanAct.IO;
using PlanAct.Plans;
using PlanAct.Text;
using PlanAct.Training;

namespace PlanAct.Pipeline.Report;

/// <summary>What the report charts of one training-data file: steps per plan (plan records only) and tokens per record, from its first records.</summary>
internal sealed record RecordSample(string Digest, IReadOnlyList<int> PlanSteps, IReadOnlyList<int> Tokens);

/// <summary>
/// The report's samples of the run's training data, kept in <c>report.samples.json</c> by each file's content digest:
/// building and counting two thousand examples of every file takes seconds, and a file that has not changed since the
/// last report gives the same numbers.
/// </summary>
internal static class RecordSamples
{
    public const string FileName = "report.samples.json";

    /// <summary>Samples of this process by content digest: a pipeline starts each one as soon as its stage is done.</summary>
    private static readonly ConcurrentDictionary<string, Lazy<Task<RecordSample>>> Sampled = new(StringComparer.Ordinal);

    /// <summary>
    /// Samples <paramref name="path"/> (a stage's training data, just finished) unless the run directory's samples hold
    /// it already, so that the report at the end of the run finds it done: the work overlaps the stages still running
    /// instead of following the last.
    /// </summary>
    public static async Task PrepareAsync(string runDir, string path, int maxRecords, CancellationToken cancellationToken)
    {
        try
        {
            var digest = await DigestAsync(path, cancellationToken);
            if (!TryRead(Path.Combine(runDir, FileName)).Values.Any(s => s.Digest == digest))
            {
                await SampleOnceAsync(path, digest, maxRecords, cancellationToken);
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Only a head start, which must never fail a run whose stages are done: the report samples the file itself
            // and says what is wrong with it.
        }
    }

    public static async Task<IReadOnlyDictionary<string, RecordSample>> ReadAsync(string runDir, IReadOnlyList<string> files, int maxRecords, CancellationToken cancellationToken)
    {
        var cachePath = Path.Combine(runDir, FileName);
        var earlier = TryRead(cachePath);
        var samples = new Dictionary<string, RecordSample>(StringComparer.Ordinal);
        foreach (var file in files)
        {
            var path = Path.Combine(runDir, file);
            var digest = await DigestAsync(path, cancellationToken);
            samples[file] = earlier.TryGetValue(file, out var known) && known.Digest == digest
                ? known
                : await SampleOnceAsync(path, digest, maxRecords, cancellationToken);
        }

        if (samples.Count != earlier.Count || samples.Any(s => !earlier.TryGetValue(s.Key, out var known) || !ReferenceEquals(known, s.Value)))
        {
            try
            {
                await AtomicFile.WriteAllTextAsync(cachePath, JsonSerializer.Serialize(samples, RecordSamplesJsonContext.Default.DictionaryStringRecordSample), cancellationToken);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // A read-only copy of a run directory: the report is still right, only counted again next time.
            }
        }

        return samples;
    }

    private static async Task<string> DigestAsync(string path, CancellationToken cancellationToken) =>
        Convert.ToHexStringLower((await FileDigests.OfTreeAsync(path, cancellationToken)).Single());

    /// <summary>The sample of a file's contents, made once per process (a failed or cancelled attempt is made again).</summary>
    private static async Task<RecordSample> SampleOnceAsync(string path, string digest, int maxRecords, CancellationToken cancellationToken)
    {
        var key = $"{maxRecords}:{digest}";
        var sampling = Sampled.GetOrAdd(key, _ => new(() => SampleAsync(path, digest, maxRecords, cancellationToken)));
        try
        {
            return await sampling.Value;
        }
        catch (Exception) when (Sampled.TryRemove(new(key, sampling)))
        {
            throw;
        }
    }

    private static async Task<RecordSample> SampleAsync(string path, string digest, int maxRecords, CancellationToken cancellationToken)
    {
        var planSteps = new List<int>();
        if (new FileInfo(path).Length == 0)
        {
            // A stage may finish with no record (every item quarantined): nothing to sample.
            return new RecordSample(digest, planSteps, []);
        }

        if (await TrainingRecords.DetectAsync(path, cancellationToken) == TrainingRecordKind.Plans)
        {
            await foreach (var plan in PlanJsonl.ReadAsync(path, new ProblemLog(skipInvalid: true), cancellationToken).Take(maxRecords))
            {
                planSteps.Add(plan.Plan.Steps.Count);
            }
        }

        var tokens = new List<int>();
        var builders = new ExampleBuilders(new ExamplePageOptions());
        await foreach (var example in TrainingRecords.ReadAsync(path, builders, new ProblemLog(skipInvalid: true), cancellationToken).Take(maxRecords))
        {
            tokens.Add(example.Messages.Sum(m => TokenCounter.O200k.Count(m.Content)));
        }

        return new RecordSample(digest, planSteps, tokens);
    }

    private static Dictionary<string, RecordSample> TryRead(string path) =>
        OptionalJsonFile.TryRead(path, RecordSamplesJsonContext.Default.DictionaryStringRecordSample) ?? [];
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(Dictionary<string, RecordSample>))]
internal sealed partial class RecordSamplesJsonContext : JsonSerializerContext;
