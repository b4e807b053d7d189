using System.Text.Json;
using PlanAct.Trajectories;

namespace PlanAct.Tests.Trajectories;

/// <summary>Builds WebArena-Lite SFT arrays for tests, step by step, in any order.</summary>
internal sealed class SftBuilder
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    private readonly List<(string Human, string Gpt)> _elements = [];

    /// <summary>Adds all steps of a trajectory; returns the element texts so a test can reorder them.</summary>
    public static List<(string Human, string Gpt)> Steps(string query, string[] pages, string[] actions, bool headerTokens = true)
    {
        var result = new List<(string, string)>();
        for (var round = 0; round < actions.Length; round++)
        {
            var history = Enumerable.Range(0, round)
                .Select(i => new SftRound(i == 0 ? query : SftPrompt.HtmlPlaceholder, actions[i]))
                .ToList();
            result.Add((new SftPrompt(query, history, pages[round]).Format(headerTokens), actions[round]));
        }

        return result;
    }

    public SftBuilder Add(IEnumerable<(string Human, string Gpt)> steps)
    {
        _elements.AddRange(steps);
        return this;
    }

    public string ToJson() => JsonSerializer.Serialize(
        _elements.Select(e => new { conversations = new object[] { new { from = "human", value = e.Human }, new { from = "gpt", value = e.Gpt } } }),
        Indented);

    public string WriteTo(string dir, string name = "sft.json")
    {
        var path = Path.Combine(dir, name);
        File.WriteAllText(path, ToJson());
        return path;
    }
}
