using System.Runtime.CompilerServices;
using PlanAct.IO;

namespace PlanAct.Trajectories;

internal enum TrajectoryFormat
{
    /// <summary>Our canonical JSONL, one trajectory per line.</summary>
    Jsonl,

    /// <summary>A WebArena-Lite SFT JSON array, one step per element.</summary>
    Sft,

    /// <summary>An Agent Data Protocol standardized JSON array, one trajectory per element.</summary>
    Adp,

    /// <summary>BrowserGym step records in the Go-Browse raw layout, one step per element.</summary>
    BrowserGym,

    /// <summary>A WebVoyager run's <c>interact_messages.json</c>, one trajectory per file.</summary>
    WebVoyager,
}

/// <summary>
/// Reads any supported trajectory input: a file of any format (told apart by its content, or forced with
/// <see cref="TrajectoryReadOptions.Format"/>) or a folder of them, WebVoyager run folders included.
/// </summary>
internal static partial class TrajectoryFiles
{
    private static readonly string[] Extensions = [".json", ".jsonl"];

    /// <summary>How many characters of a JSON array file are looked at to tell its format.</summary>
    private const int SniffLength = 1 << 16;

    public static string Names => "jsonl, sft, adp, browsergym, webvoyager";

    /// <summary>
    /// The trajectory files a path names: the file itself, or the .json/.jsonl files of a folder and the
    /// <c>interact_messages.json</c> of its sub-folders (WebVoyager runs), sorted.
    /// </summary>
    public static IReadOnlyList<string> Expand(string path)
    {
        if (Directory.Exists(path))
        {
            return [.. Directory.EnumerateFiles(path)
                .Where(f => Extensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
                .Concat(Directory.EnumerateDirectories(path)
                    .Select(d => Path.Combine(d, WebVoyagerRunReader.RunFileName))
                    .Where(File.Exists))
                .Order(StringComparer.Ordinal)];
        }

        if (!File.Exists(path))
        {
            throw new InputException(new SourceLocation(path), "no such file or folder");
        }

        return [path];
    }

    public static TrajectoryFormat DetectFormat(string path)
    {
        using var reader = new StreamReader(path, detectEncodingFromByteOrderMarks: true);
        int c;
        while ((c = reader.Read()) >= 0 && char.IsWhiteSpace((char)c))
        {
        }

        return c switch
        {
            '[' => DetectArray(reader),
            '{' => TrajectoryFormat.Jsonl,
            < 0 => throw new InputException(new SourceLocation(path, 1), "the file is empty (or holds only whitespace)"),
            _ => throw new InputException(new SourceLocation(path, 1), "neither a JSON array (WebArena-Lite SFT, ADP, BrowserGym steps, a WebVoyager run) nor JSONL (one object per line)"),
        };
    }

    /// <summary>
    /// Which array format a file holds, from the first telling key in its opening: <c>conversations</c> (SFT),
    /// <c>class_</c> (ADP events), <c>traj_data</c>/<c>step_data</c> (BrowserGym steps), <c>role</c> (chat messages).
    /// An array that shows none of them is read as SFT, whose reader says what it expected.
    /// </summary>
    private static TrajectoryFormat DetectArray(StreamReader reader)
    {
        var buffer = new char[SniffLength];
        var read = reader.ReadBlock(buffer, 0, buffer.Length);
        var match = TellingKey().Match(new string(buffer, 0, read));
        return match.Success ? match.Groups["key"].Value switch
        {
            "class_" => TrajectoryFormat.Adp,
            "traj_data" or "step_data" or "graph_data" => TrajectoryFormat.BrowserGym,
            "role" => TrajectoryFormat.WebVoyager,
            _ => TrajectoryFormat.Sft,
        } : TrajectoryFormat.Sft;
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"""(?<key>conversations|class_|traj_data|step_data|graph_data|role)""\s*:", System.Text.RegularExpressions.RegexOptions.CultureInvariant)]
    private static partial System.Text.RegularExpressions.Regex TellingKey();

    /// <summary>
    /// The valid trajectories of a file or of every file of a folder, in order. An id read before (in the same file or
    /// another one: a folder whose files repeat trajectories) is a problem at its second place, naming the first.
    /// </summary>
    public static async IAsyncEnumerable<Trajectory> ReadAsync(
        string path, TrajectoryReadOptions options, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var ids = new IdRegister();
        foreach (var file in Expand(path))
        {
            var trajectories = (options.Format ?? DetectFormat(file)) switch
            {
                TrajectoryFormat.Sft => SftTrajectoryReader.ReadAsync(file, options, cancellationToken).Select(t => (Trajectory: t, Location: t.Source!)),
                TrajectoryFormat.Adp => AdpTrajectoryReader.ReadAsync(file, options, cancellationToken).Select(t => (Trajectory: t, Location: t.Source!)),
                TrajectoryFormat.BrowserGym => BrowserGymStepReader.ReadAsync(file, options, cancellationToken).Select(t => (Trajectory: t, Location: t.Source!)),
                TrajectoryFormat.WebVoyager => WebVoyagerRunReader.ReadAsync(file, options, cancellationToken).Select(t => (Trajectory: t, Location: t.Source!)),
                _ => TrajectoryJsonl.ReadLocatedAsync(file, options, cancellationToken),
            };
            await foreach (var (trajectory, location) in trajectories)
            {
                if (ids.Add(trajectory.Id, location, options.Problems))
                {
                    yield return trajectory;
                }
            }
        }
    }

    /// <summary>The SFT format carries WebRL actions on WebRL pages only; other trajectories stop the write (nothing is left half-written).</summary>
    private static Trajectory WebRlOnly(Trajectory trajectory) => trajectory.Grammar == Actions.ActionGrammar.WebRl
        ? trajectory
        : throw new InputException(trajectory.Source ?? new SourceLocation(trajectory.Id), $"trajectory \"{trajectory.Id}\" has {Actions.ActionGrammars.Name(trajectory.Grammar)} actions; the WebArena-Lite SFT format holds WebRL ones only (write jsonl)");

    /// <exception cref="ArgumentException">For a format PlanAct reads but does not write.</exception>
    public static Task<int> WriteAsync(string path, TrajectoryFormat format, IAsyncEnumerable<Trajectory> trajectories, CancellationToken cancellationToken = default) => format switch
    {
        TrajectoryFormat.Sft => SftTrajectoryWriter.WriteAsync(path, trajectories.Select(WebRlOnly), cancellationToken: cancellationToken),
        TrajectoryFormat.Jsonl => TrajectoryJsonl.WriteAsync(path, trajectories, cancellationToken),
        _ => throw new ArgumentException($"trajectories are written as jsonl or sft, not {format.ToString().ToLowerInvariant()}", nameof(format)),
    };
}
