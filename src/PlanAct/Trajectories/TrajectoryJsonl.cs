using System.Runtime.CompilerServices;
using System.Text.Json;
using PlanAct.Actions;
using PlanAct.Html;
using PlanAct.IO;

namespace PlanAct.Trajectories;

/// <summary>
/// Reads and writes our canonical trajectory JSONL, one trajectory per line (schema <c>planact/trajectory@2</c>; files
/// of <c>@1</c>, which knew only WebRL actions and pages, are still read).
/// </summary>
internal static class TrajectoryJsonl
{
    public const string SchemaId = "planact/trajectory@2";

    /// <summary>The first version: WebRL actions on WebRL simplified HTML, no grammar or observation kinds.</summary>
    public const string SchemaIdV1 = "planact/trajectory@1";

    /// <summary>The valid trajectories of a file with their lines (repeated ids are <see cref="TrajectoryFiles"/>' to find, over all files read).</summary>
    internal static async IAsyncEnumerable<(Trajectory Trajectory, SourceLocation Location)> ReadLocatedAsync(
        string path, TrajectoryReadOptions options, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var (lineNumber, text) in JsonlFile.ReadLinesAsync(path, options.ReplaceInvalidUtf8, cancellationToken))
        {
            var location = new SourceLocation(path, lineNumber);
            if (Parse(text, location, options.Problems) is { } trajectory)
            {
                yield return (trajectory, location);
            }
        }
    }

    /// <summary>Parses and validates one line; reports a problem and returns null when it is not a valid trajectory.</summary>
    internal static Trajectory? Parse(string text, SourceLocation location, ProblemLog problems)
    {
        if (JsonlFile.Deserialize(text, TrajectoryJsonContext.Default.TrajectoryLine, location, problems) is not { } line)
        {
            return null;
        }

        string? error = line switch
        {
            { Id: null, Task: null, Steps: null } =>
                "not a planact trajectory: expected one JSON object per line with \"id\", \"task\" and \"steps\" (or a WebArena-Lite SFT file: one JSON array of steps)",
            { Schema: { } schema } when schema != SchemaId && schema != SchemaIdV1 => $"unsupported schema \"{schema}\" (expected \"{SchemaId}\")",
            { Grammar: { } g } when !ActionGrammars.TryParseName(g, out _) => $"unknown grammar \"{g}\" (expected one of {ActionGrammars.Names})",
            { Id: null or "" } => "missing \"id\"",
            { Task: var t } when string.IsNullOrWhiteSpace(t) => "missing or empty \"task\"",
            { Steps: null or [] } => "no steps",
            _ => null,
        };
        if (error is not null)
        {
            problems.Error(location, error);
            return null;
        }

        var grammar = ActionGrammars.TryParseName(line.Grammar, out var named) ? named : ActionGrammar.WebRl;
        var steps = new List<TrajectoryStep>(line.Steps!.Count);
        for (var i = 0; i < line.Steps!.Count; i++)
        {
            var step = line.Steps[i];
            var stepError = step switch
            {
                null => "is null",
                { Index: null } => "has no \"index\"",
                { Index: var index } when index != i => index < i ? $"repeats index {index} (expected {i})" : $"has index {index}: steps {i}..{index - 1} are missing",
                { Html: null } => "has no \"html\"",
                { Action: var a } when string.IsNullOrWhiteSpace(a) => "has an empty action",
                { Observation: { } o } when !Observation.TryParseName(o, out _) => $"has an unknown observation kind \"{o}\"",
                _ => null,
            };
            if (stepError is null)
            {
                try
                {
                    steps.Add(new TrajectoryStep(i, step!.Html!, ActionParser.Parse(step.Action!, grammar))
                    {
                        Observation = Observation.TryParseName(step.Observation, out var kind) ? kind : Observation.Detect(step.Html!),
                        Url = step.Url,
                        Reasoning = step.Reasoning,
                    });
                    continue;
                }
                catch (ActionSyntaxException e)
                {
                    stepError = $"has a bad action: {e.Message}";
                }
            }

            problems.Error(location, $"trajectory \"{line.Id}\": step {i} {stepError}");
            return null;
        }

        return new Trajectory(line.Id!, string.IsNullOrWhiteSpace(line.Site) ? SiteDetector.Detect(steps[0].Html, steps[0].Url) : line.Site, line.Task!, steps.ToEquatableList())
        {
            Grammar = grammar,
            Source = line.Source is { File: { } file } source ? new SourceLocation(file, source.Line, source.Element) : null,
            Score = line.Score,
        };
    }

    public static string Format(Trajectory trajectory)
    {
        var line = new TrajectoryLine
        {
            Schema = SchemaId,
            Id = trajectory.Id,
            Site = trajectory.Site,
            Task = trajectory.Task,
            Grammar = trajectory.Grammar.Name(),
            Steps = [.. trajectory.Steps.Select(s => new StepLine
            {
                Index = s.Index,
                Html = s.Html,
                Observation = s.Observation.Name(),
                Url = s.Url,
                Action = ActionPrinter.Print(s.Action),
                Reasoning = s.Reasoning,
            })],
            Source = trajectory.Source is { } source ? new SourceLine { File = source.File, Line = source.Line, Element = source.Element } : null,
            Score = trajectory.Score,
        };
        return JsonSerializer.Serialize(line, TrajectoryJsonContext.Relaxed.TrajectoryLine);
    }

    /// <summary>Writes all trajectories to <paramref name="path"/> atomically: a reader never sees a half-written file.</summary>
    public static Task<int> WriteAsync(string path, IAsyncEnumerable<Trajectory> trajectories, CancellationToken cancellationToken = default) =>
        JsonlFile.WriteAsync(path, trajectories, Format, cancellationToken);
}
