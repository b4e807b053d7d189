using System.Text.Json;
using System.Text.Json.Serialization;
using PlanAct.IO;
using PlanAct.Plans;

namespace PlanAct.Stages.Generation;

/// <summary>
/// The pairs one request got back, as kept in <c>&lt;out&gt;.answers.jsonl</c>: which seeds it showed and every
/// pair with its form check. Selection (duplicates, test-set look-alikes, the target count) happens after, in
/// request order, so it is the same however the answers arrived.
/// </summary>
internal sealed record GeneratedAnswer(string Id, int Index, string Site, EquatableList<string> Seeds, IReadOnlyList<GeneratedPair> Pairs)
{
    public string? Teacher { get; init; }

    public EquatableList<string>? Requests { get; init; }
}

/// <summary>Reads and writes <see cref="GeneratedAnswer"/> lines.</summary>
internal static class GeneratedAnswerJsonl
{
    public static string Format(GeneratedAnswer answer) => JsonSerializer.Serialize(
        new AnswerLine
        {
            Id = answer.Id,
            Index = answer.Index,
            Site = answer.Site,
            Seeds = [.. answer.Seeds],
            Pairs = [.. answer.Pairs.Select(p => new PairLine
            {
                Number = p.Number,
                Query = p.Query,
                Seed = p.Seed,
                Steps = p.Plan is { } plan ? PlanJsonl.LinesOf(plan) : null,
                Rejected = p.Rejected,
                Detail = p.Detail,
            })],
            Teacher = answer.Teacher,
            Requests = answer.Requests?.ToList(),
        },
        AnswerJsonContext.Relaxed.AnswerLine);

    /// <summary>The answers of a file by id (a stage's own output: a bad line is a bug or a damaged file, reported at its line).</summary>
    public static async Task<Dictionary<string, GeneratedAnswer>> ReadAllAsync(string path, CancellationToken cancellationToken)
    {
        var answers = new Dictionary<string, GeneratedAnswer>(StringComparer.Ordinal);
        if (!File.Exists(path))
        {
            return answers;
        }

        await foreach (var (lineNumber, text) in JsonlFile.ReadLinesAsync(path, cancellationToken: cancellationToken))
        {
            var answer = Read(text, new SourceLocation(path, lineNumber));
            answers[answer.Id] = answer;
        }

        return answers;
    }

    /// <summary>Reads one line as an answers record.</summary>
    /// <exception cref="InputException">The line is not one.</exception>
    public static GeneratedAnswer Read(string text, SourceLocation location)
    {
        var line = JsonlFile.Deserialize(text, AnswerJsonContext.Default.AnswerLine, location, new ProblemLog());
        if (line is not { Id: { } id, Site: { } site, Seeds: { } seeds, Pairs: { } pairs } || pairs.Any(p => p?.Query is null || (p.Steps is { } steps && PlanJsonl.StepsError(steps) is not null)))
        {
            throw new InputException(location, "not an answers record (id, site, seeds, pairs with query)");
        }

        return new GeneratedAnswer(id, line.Index, site, seeds.ToEquatableList(), [.. pairs.Select(p => new GeneratedPair(
            p!.Number, p.Query!, p.Seed, p.Steps is { } steps ? PlanJsonl.PlanOf(steps) : null, p.Rejected, p.Detail))])
        {
            Teacher = line.Teacher,
            Requests = line.Requests?.ToEquatableList(),
        };
    }
}

internal sealed record AnswerLine
{
    [JsonPropertyName("id")] public string? Id { get; init; }

    [JsonPropertyName("index")] public int Index { get; init; }

    [JsonPropertyName("site")] public string? Site { get; init; }

    [JsonPropertyName("seeds")] public List<string>? Seeds { get; init; }

    [JsonPropertyName("pairs")] public List<PairLine?>? Pairs { get; init; }

    [JsonPropertyName("teacher")] public string? Teacher { get; init; }

    [JsonPropertyName("requests")] public List<string>? Requests { get; init; }
}

internal sealed record PairLine
{
    [JsonPropertyName("number")] public int Number { get; init; }

    [JsonPropertyName("query")] public string? Query { get; init; }

    [JsonPropertyName("seed")] public int? Seed { get; init; }

    [JsonPropertyName("steps")] public List<PlanStepLine?>? Steps { get; init; }

    [JsonPropertyName("rejected")] public string? Rejected { get; init; }

    [JsonPropertyName("detail")] public string? Detail { get; init; }
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(AnswerLine))]
internal sealed partial class AnswerJsonContext : JsonSerializerContext
{
    public static AnswerJsonContext Relaxed { get; } = new(JsonlFile.RelaxedWriteOptions());
}
