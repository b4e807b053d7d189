using System.Collections.Concurrent;
using System.Text;
using PlanAct.IO;
using PlanAct.Plans;

namespace PlanAct.Stages.Annotate;

/// <summary>One worked example shown to the teacher: a task, its first page in words, its actions and the plan we want.</summary>
internal sealed record AnnotationExample(string Task, string Page, EquatableList<string> Actions, string Plan);

/// <summary>
/// In-context examples per site, from YAML (<c>site: [ {task, page, actions, plan} ]</c>); a site without its own
/// examples uses the <c>default</c> list if there is one. The built-in set covers the five WebArena-Lite sites.
/// </summary>
internal sealed class AnnotationExamples(IReadOnlyDictionary<string, IReadOnlyList<AnnotationExample>> bySite)
{
    /// <summary>Each list of the file as <see cref="Render"/> shows it, made once: every annotate prompt has its site's.</summary>
    private readonly ConcurrentDictionary<IReadOnlyList<AnnotationExample>, string> _rendered = new(ReferenceEqualityComparer.Instance);

    public static AnnotationExamples BuiltIn { get; } = FromYaml(EmbeddedText.Read(typeof(AnnotationExamples), "annotate.examples.yaml"), "annotate.examples.yaml");

    /// <summary>Whether the file has its own list under <paramref name="key"/> (a site, or a grammar such as <c>browsergym</c>).</summary>
    public bool Has(string key) => bySite.ContainsKey(key);

    public IReadOnlyList<AnnotationExample> For(string site) =>
        bySite.TryGetValue(site, out var own) ? own : bySite.TryGetValue("default", out var fallback) ? fallback : [];

    public static AnnotationExamples Load(string path) => Build(Yaml.Read<ExampleFile>(path, "examples file"), path);

    /// <summary>The examples as the user prompt shows them.</summary>
    public string Render(string site) => For(site) is not { Count: > 0 } examples ? "" : _rendered.GetOrAdd(examples, static examples =>
    {
        var text = new StringBuilder();
        foreach (var example in examples)
        {
            text.Append(PromptTemplate.Load(typeof(AnnotationExamples), "annotate.example.md").Fill(
                ("task", example.Task),
                ("page", example.Page),
                ("actions", string.Join("\n", example.Actions.Select((a, i) => $"{i}: {a}"))),
                ("plan", example.Plan.Trim()))).Append("\n\n");
        }

        return text.ToString();
    });

    private static AnnotationExamples FromYaml(string yaml, string source)
    {
        try
        {
            return Build(Yaml.Reader.Deserialize<ExampleFile?>(yaml) ?? [], source);
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            throw Yaml.Error(e, source, "not a valid examples file");
        }
    }

    private static AnnotationExamples Build(ExampleFile file, string source)
    {
        var bySite = new Dictionary<string, IReadOnlyList<AnnotationExample>>(StringComparer.OrdinalIgnoreCase);
        foreach (var (site, entries) in file)
        {
            var examples = new List<AnnotationExample>();
            foreach (var (entry, i) in (entries ?? []).Select((e, i) => (e, i)))
            {
                var where = new SourceLocation(source, null, i);
                if (entry is not { Task.Length: > 0, Actions.Count: > 0, Plan.Length: > 0 })
                {
                    throw new InputException(where, $"example {i + 1} of site \"{site}\" needs task, actions and plan");
                }

                var parsed = PlanText.Parse(entry.Plan, grounded: true);
                var errors = parsed.Plan is { } plan ? [.. parsed.Errors, .. PlanValidator.ValidateGrounding(plan, 0, entry.Actions.Count)] : parsed.Errors;
                if (errors.Count > 0)
                {
                    throw new InputException(where, $"the plan of example {i + 1} of site \"{site}\" is not valid: {errors[0]}");
                }

                examples.Add(new AnnotationExample(entry.Task, entry.Page ?? "(not described)", entry.Actions.ToEquatableList(), entry.Plan));
            }

            bySite[site] = examples;
        }

        return new AnnotationExamples(bySite);
    }

    private sealed class ExampleFile : Dictionary<string, List<ExampleEntry?>?>;

    private sealed class ExampleEntry
    {
        public string? Task { get; set; }

        public string? Page { get; set; }

        public List<string>? Actions { get; set; }

        public string? Plan { get; set; }
    }
}
