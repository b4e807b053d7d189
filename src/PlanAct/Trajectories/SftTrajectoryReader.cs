using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using PlanAct.Actions;
using PlanAct.IO;

namespace PlanAct.Trajectories;

/// <summary>
/// Reads a WebArena-Lite SFT array (one element per step) and yields whole trajectories.
/// </summary>
/// <remarks>
/// Steps of one trajectory may sit anywhere in the file, so reading takes two streaming passes: the first keeps only
/// a small key per step (task and action-history hashes) and works out which steps form which trajectory; the second
/// buffers a trajectory's steps until its last one has been read. Pages are never held for more than the trajectories
/// still open at a point of the file (one, when steps are stored together, as WebRL writes them).
/// </remarks>
internal static class SftTrajectoryReader
{
    public static async IAsyncEnumerable<Trajectory> ReadAsync(
        string path, TrajectoryReadOptions options, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var problems = options.Problems;
        var keys = new List<StepKey>();
        var elementCount = 0;
        await foreach (var (index, element) in ReadElementsAsync(path, options.ReplaceInvalidUtf8, cancellationToken))
        {
            elementCount = index + 1;
            if (TryReadStep(path, index, element, problems) is { } step)
            {
                keys.Add(KeyOf(index, step, path, problems));
            }
        }

        var (groups, orphans) = Group(path, keys, problems);
        if (orphans.Count > 0)
        {
            await InvalidateTruncatedAsync(path, groups, orphans, options, cancellationToken);
        }

        var groupOfElement = new int[elementCount];
        Array.Fill(groupOfElement, -1);
        for (var g = 0; g < groups.Count; g++)
        {
            if (!groups[g].Invalid)
            {
                foreach (var element in groups[g].Elements)
                {
                    groupOfElement[element] = g;
                }
            }
        }

        var open = new Dictionary<int, List<TrajectoryStep>>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var (index, element) in ReadElementsAsync(path, options.ReplaceInvalidUtf8, cancellationToken))
        {
            var g = groupOfElement[index];
            if (g < 0)
            {
                continue;
            }

            var step = TryReadStep(path, index, element, problems)!;
            if (!open.TryGetValue(g, out var steps))
            {
                open[g] = steps = new List<TrajectoryStep>(groups[g].Elements.Count);
            }

            steps.Add(new TrajectoryStep(step.Prompt.Round, step.Prompt.Html, step.Action!));
            if (steps.Count == groups[g].Elements.Count)
            {
                open.Remove(g);
                steps.Sort((a, b) => a.Index.CompareTo(b.Index));
                var id = UniqueId(ids, "sft-" + groups[g].Key.ToString("x32", System.Globalization.CultureInfo.InvariantCulture)[..12]);
                yield return new Trajectory(id, SiteDetector.Detect(steps[0].Html), step.Prompt.Query, steps.ToEquatableList())
                {
                    Source = new SourceLocation(path, Element: groups[g].Elements[0]),
                };
            }
        }
    }

    private static string UniqueId(HashSet<string> ids, string id)
    {
        var candidate = id;
        for (var n = 2; !ids.Add(candidate); n++)
        {
            candidate = $"{id}-{n}";
        }

        return candidate;
    }

    private static IAsyncEnumerable<(int Index, SftElement? Element)> ReadElementsAsync(string path, bool replaceInvalidUtf8, CancellationToken cancellationToken) =>
        JsonArrayFile.ReadAsync(path, SftJsonContext.Default.SftElement, "not a valid WebArena-Lite SFT JSON array", replaceInvalidUtf8, cancellationToken);

    private sealed record ParsedStep(SftPrompt Prompt, string ActionText, WebAction? Action, string? ActionError);

    private static ParsedStep? TryReadStep(string path, int index, SftElement? element, ProblemLog problems)
    {
        var location = new SourceLocation(path, Element: index);
        var turns = element?.Conversations;
        var human = turns?.FirstOrDefault(t => t.From is "human" or "user")?.Value;
        var gpt = turns?.LastOrDefault(t => t.From is "gpt" or "assistant")?.Value;
        if (human is null || gpt is null)
        {
            problems.Error(location, "expected {\"conversations\": [{\"from\": \"human\", ...}, {\"from\": \"gpt\", ...}]}");
            return null;
        }

        SftPrompt prompt;
        try
        {
            prompt = SftPrompt.Parse(human);
        }
        catch (FormatException e)
        {
            problems.Error(location, e.Message);
            return null;
        }

        try
        {
            return new ParsedStep(prompt, gpt, ActionParser.Parse(gpt), null);
        }
        catch (ActionSyntaxException e)
        {
            return new ParsedStep(prompt, gpt, null, $"Round {prompt.Round}: bad action: {e.Message}");
        }
    }

    private readonly record struct StepKey(int Element, int Round, UInt128 Parent, UInt128 Self, bool Broken);

    private static StepKey KeyOf(int index, ParsedStep step, string path, ProblemLog problems)
    {
        if (step.ActionError is not null)
        {
            problems.Error(new SourceLocation(path, Element: index), step.ActionError);
        }

        var key = ChainKeys(step.Prompt)[^1];
        return new StepKey(index, step.Prompt.Round, key, Hash(key, step.ActionText), step.ActionError is not null);
    }

    /// <summary>The key of the task alone, then of the task and each longer prefix of the earlier actions.</summary>
    private static UInt128[] ChainKeys(SftPrompt prompt)
    {
        var keys = new UInt128[prompt.History.Count + 1];
        keys[0] = Hash(default, prompt.Query);
        for (var i = 0; i < prompt.History.Count; i++)
        {
            keys[i + 1] = Hash(keys[i], prompt.History[i].Action);
        }

        return keys;
    }

    /// <summary>
    /// A round with no predecessor means the trajectory it belongs to lost a round; the steps read before the gap
    /// would otherwise pass for a whole, shorter trajectory. Rare, so it costs one more pass only when it happens.
    /// </summary>
    private static async Task InvalidateTruncatedAsync(
        string path, List<StepGroup> groups, Dictionary<int, int> orphans, TrajectoryReadOptions options, CancellationToken cancellationToken)
    {
        var problems = options.Problems;
        var byKey = new Dictionary<UInt128, int>();
        for (var g = 0; g < groups.Count; g++)
        {
            if (!groups[g].Invalid)
            {
                byKey.TryAdd(groups[g].Key, g);
            }
        }

        await foreach (var (index, element) in ReadElementsAsync(path, options.ReplaceInvalidUtf8, cancellationToken))
        {
            if (!orphans.ContainsKey(index) || TryReadStep(path, index, element, new ProblemLog(skipInvalid: true)) is not { } step)
            {
                continue;
            }

            var chain = ChainKeys(step.Prompt);
            for (var m = chain.Length - 2; m >= 1; m--)
            {
                if (byKey.TryGetValue(chain[m], out var g) && groups[g].Elements.Count == m && !groups[g].Invalid)
                {
                    groups[g].Invalid = true;
                    problems.Error(new SourceLocation(path, Element: groups[g].Elements[0]), $"trajectory is missing Round {m}: its Round {step.Prompt.Round} is at element [{index}]");
                    break;
                }
            }
        }
    }

    /// <summary>Chains a hash over whitespace-normalized text, so history keys do not depend on spacing.</summary>
    private static UInt128 Hash(UInt128 previous, string text)
    {
        var normalized = string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        var bytes = new byte[16 + Encoding.UTF8.GetMaxByteCount(normalized.Length)];
        BitConverter.TryWriteBytes(bytes.AsSpan(0, 16), previous);
        var length = 16 + Encoding.UTF8.GetBytes(normalized, bytes.AsSpan(16));
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(bytes.AsSpan(0, length), digest);
        return BitConverter.ToUInt128(digest);
    }

    private sealed class StepGroup(int firstElement)
    {
        public List<int> Elements { get; } = [firstElement];

        public UInt128 Key { get; set; }

        public bool Invalid { get; set; }
    }

    /// <returns>The groups, and the elements that start a group after a gap (element → group).</returns>
    private static (List<StepGroup> Groups, Dictionary<int, int> Orphans) Group(string path, List<StepKey> keys, ProblemLog problems)
    {
        var orphans = new Dictionary<int, int>();
        keys.Sort((a, b) => a.Round != b.Round ? a.Round.CompareTo(b.Round) : a.Element.CompareTo(b.Element));
        var groups = new List<StepGroup>();
        var waiting = new Dictionary<UInt128, Queue<int>>();
        var continuedBy = new Dictionary<UInt128, (int Group, int Element)>();
        foreach (var key in keys)
        {
            int g;
            if (key.Round > 0 && waiting.TryGetValue(key.Parent, out var queue))
            {
                g = queue.Dequeue();
                if (queue.Count == 0)
                {
                    // Only trajectories that may still grow stay indexed.
                    waiting.Remove(key.Parent);
                }

                groups[g].Elements.Add(key.Element);
            }
            else
            {
                g = groups.Count;
                groups.Add(new StepGroup(key.Element));
                if (key.Round > 0)
                {
                    groups[g].Invalid = true;
                    var location = new SourceLocation(path, Element: key.Element);
                    if (continuedBy.TryGetValue(key.Parent, out var first))
                    {
                        groups[first.Group].Invalid = true;
                        problems.Error(location, $"duplicate Round {key.Round}: element [{first.Element}] already continues the same task and earlier actions");
                    }
                    else
                    {
                        orphans[key.Element] = g;
                        problems.Error(location, $"gap in rounds: Round {key.Round} has no Round {key.Round - 1} with the same task and earlier actions in the file");
                    }
                }
            }

            groups[g].Key = key.Self;
            groups[g].Invalid |= key.Broken;
            if (key.Round > 0)
            {
                continuedBy.TryAdd(key.Parent, (g, key.Element));
            }

            if (!waiting.TryGetValue(key.Self, out var next))
            {
                waiting[key.Self] = next = new Queue<int>();
            }

            next.Enqueue(g);
        }

        return (groups, orphans);
    }
}
