using System.Runtime.CompilerServices;
using PlanAct.IO;

namespace PlanAct.Trajectories;

internal enum TrajectoryFormat
{
    /// <summary>Our canonical JSONL, one trajectory per line.</summary>
    Jsonl,

    /// <summary>A WebArena-Lite SFT JSON array, one step per element.</summary>
    Sft,
}

/// <summary>Reads any supported trajectory input: a file of either format (told apart by its first character) or a folder of them.</summary>
internal static class TrajectoryFiles
{
    private static readonly string[] Extensions = [".json", ".jsonl"];

    /// <summary>The trajectory files a path names: the file itself, or the .json/.jsonl files of a folder (not recursive), sorted.</summary>
    public static IReadOnlyList<string> Expand(string path)
    {
        if (Directory.Exists(path))
        {
            return [.. Directory.EnumerateFiles(path)
                .Where(f => Extensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
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
            '[' => TrajectoryFormat.Sft,
            '{' => TrajectoryFormat.Jsonl,
            < 0 => throw new InputException(new SourceLocation(path, 1), "the file is empty (or holds only whitespace)"),
            _ => throw new InputException(new SourceLocation(path, 1), "neither a JSON array (WebArena-Lite SFT) nor JSONL (one object per line)"),
        };
    }

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
            var trajectories = DetectFormat(file) switch
            {
                TrajectoryFormat.Sft => SftTrajectoryReader.ReadAsync(file, options, cancellationToken).Select(t => (Trajectory: t, Location: t.Source!)),
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

    public static Task<int> WriteAsync(string path, TrajectoryFormat format, IAsyncEnumerable<Trajectory> trajectories, CancellationToken cancellationToken = default) =>
        format == TrajectoryFormat.Sft
            ? SftTrajectoryWriter.WriteAsync(path, trajectories, cancellationToken: cancellationToken)
            : TrajectoryJsonl.WriteAsync(path, trajectories, cancellationToken);
}
