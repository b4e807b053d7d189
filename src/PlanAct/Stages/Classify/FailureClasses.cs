using PlanAct.IO;
using PlanAct.Plans;

namespace PlanAct.Stages.Classify;

/// <summary>A kind of task a planner gets wrong, and what data would help it.</summary>
internal sealed record FailureClass(string Name, string Description, string DataNeeded, EquatableList<string> Examples);

/// <summary>
/// Failure classes per site, from YAML: <c>site: [ {name, description, data_needed, examples: [..]} ]</c>. Names are
/// unique within a site; <c>Other</c> is reserved for "none of these".
/// </summary>
internal sealed class FailureClasses(IReadOnlyDictionary<string, IReadOnlyList<FailureClass>> bySite)
{
    public IReadOnlyList<FailureClass> For(string site) => bySite.TryGetValue(site, out var classes) ? classes : [];

    public IEnumerable<string> Sites => bySite.Keys;

    /// <exception cref="InputException">The file cannot be read, is not valid YAML, or a class lacks its name or description.</exception>
    public static FailureClasses Load(string path)
    {
        var file = Yaml.Read<ClassFile>(path, "failure classes file");
        var bySite = new Dictionary<string, IReadOnlyList<FailureClass>>(StringComparer.Ordinal);
        foreach (var (site, entries) in file)
        {
            var classes = new List<FailureClass>();
            foreach (var (entry, i) in (entries ?? []).Select((e, i) => (e, i)))
            {
                var where = new SourceLocation(path, Element: i);
                if (entry is not { Name.Length: > 0, Description.Length: > 0 })
                {
                    throw new InputException(where, $"class {i + 1} of site \"{site}\" needs a name and a description");
                }

                if (entry.Name.Equals(FailureLabel.Other, StringComparison.OrdinalIgnoreCase) || classes.Any(c => c.Name.Equals(entry.Name, StringComparison.OrdinalIgnoreCase)))
                {
                    throw new InputException(where, $"class name \"{entry.Name}\" of site \"{site}\" is reserved or used twice");
                }

                classes.Add(new FailureClass(entry.Name.Trim(), entry.Description.Trim(), entry.DataNeeded?.Trim() ?? "", (entry.Examples ?? []).ToEquatableList()));
            }

            bySite[site] = classes;
        }

        return new FailureClasses(bySite);
    }

    private sealed class ClassFile : Dictionary<string, List<ClassEntry?>?>;

    private sealed class ClassEntry
    {
        public string? Name { get; set; }

        public string? Description { get; set; }

        public string? DataNeeded { get; set; }

        public List<string>? Examples { get; set; }
    }
}
