using PlanAct.IO;
using PlanAct.Teacher;
using PlanAct.Trajectories;

namespace PlanAct.Pipeline;

/// <summary>
/// A pipeline file: named inputs, the run directory, the teacher (the <c>teacher:</c> and <c>prices:</c> sections of a
/// teacher configuration) and the stages to run with their teacher settings and <c>options:</c>. Relative paths are
/// relative to the file. Which stages run is which keys <c>stages:</c> has; their order comes from the graph.
/// </summary>
internal sealed record PipelineDefinition
{
    /// <summary>The pipeline <c>planact run</c> runs when given none: the bundled samples.</summary>
    public static string SamplesPath => System.IO.Path.Combine("samples", "pipeline.yaml");

    public required string Path { get; init; }

    public required string Name { get; init; }

    /// <summary>Input name (e.g. <c>trajectories</c>) → full path.</summary>
    public required IReadOnlyDictionary<string, string> Inputs { get; init; }

    /// <summary>Where every output, the statistics, the manifest and the report go.</summary>
    public required string RunDir { get; init; }

    /// <summary>Report invalid input items and go on with the rest, instead of stopping.</summary>
    public bool SkipInvalid { get; init; }

    /// <summary>Read bytes of the trajectories that are not UTF-8 as U+FFFD, instead of stopping at their file and line.</summary>
    public bool ReplaceInvalidUtf8 { get; init; }

    /// <summary>The format the trajectories are read as (<c>format:</c>); null tells it from each file's content.</summary>
    public TrajectoryFormat? Format { get; init; }

    /// <summary>The stages named in the file, in file order, with their options.</summary>
    public required IReadOnlyList<(string Stage, StageOptions Options)> Stages { get; init; }

    /// <summary>The options of a stage named in the file.</summary>
    public StageOptions OptionsOf(string stage) => Stages.First(s => s.Stage == stage).Options;

    /// <summary>Lays the file's teacher settings over the options it is given; flags and environment go over the result.</summary>
    public required Func<TeacherOptions, TeacherOptions> ApplyTeacher { get; init; }

    public static PipelineDefinition Load(string path)
    {
        var file = Yaml.Read<PipelineSection>(path, "pipeline");
        var location = new SourceLocation(path);
        var folder = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!;
        string Resolve(string relative) => System.IO.Path.GetFullPath(System.IO.Path.Combine(folder, relative));

        if (file.Stages is not { Count: > 0 })
        {
            throw new InputException(location, "stages: name at least one stage to run");
        }

        var inputs = (file.Inputs ?? []).ToDictionary(i => i.Key, i => Resolve(i.Value), StringComparer.Ordinal);
        var stages = file.Stages.Select(s => (s.Key, new StageOptions(path, s.Key, s.Value?.Options))).ToList();
        return new PipelineDefinition
        {
            Path = System.IO.Path.GetFullPath(path),
            Name = file.Name ?? System.IO.Path.GetFileNameWithoutExtension(path),
            Inputs = inputs,
            RunDir = Resolve(file.RunDir ?? System.IO.Path.Combine("runs", file.Name ?? System.IO.Path.GetFileNameWithoutExtension(path))),
            SkipInvalid = file.SkipInvalid,
            ReplaceInvalidUtf8 = file.ReplaceInvalidUtf8,
            Format = file.Format is null ? null
                : Enum.TryParse<TrajectoryFormat>(file.Format, ignoreCase: true, out var format) ? format
                : throw new InputException(location, $"format: \"{file.Format}\" is not a trajectory format ({TrajectoryFiles.Names})"),
            Stages = stages,
            ApplyTeacher = options =>
            {
                // teacher.ledger is a path like the others: relative to the pipeline file.
                var applied = TeacherConfigFile.Apply(options, file, path);
                return file.Teacher?.Ledger is { } ledger ? applied with { LedgerPath = Resolve(ledger) } : applied;
            },
        };
    }

    /// <summary>The full path of input <paramref name="name"/>, which <paramref name="stage"/> needs.</summary>
    public string Input(string name, string stage) =>
        Inputs.TryGetValue(name, out var input)
            ? input
            : throw new InputException(new SourceLocation(Path), $"stage {stage} needs inputs.{name}");

    private sealed class PipelineSection : TeacherConfigFile.TeacherConfigSection
    {
        public string? Name { get; set; }

        public Dictionary<string, string>? Inputs { get; set; }

        public string? RunDir { get; set; }

        public bool SkipInvalid { get; set; }

        public bool ReplaceInvalidUtf8 { get; set; }

        public string? Format { get; set; }
    }
}
