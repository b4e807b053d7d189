using System.Text.RegularExpressions;

namespace PlanAct.Teacher;

/// <summary>Separates a reasoning trace written as <c>&lt;think&gt;…&lt;/think&gt;</c> in the content from the answer.</summary>
internal static partial class ReasoningSplitter
{
    [GeneratedRegex(@"<think>(.*?)(?:</think>|$)", RegexOptions.Singleline | RegexOptions.CultureInvariant)]
    private static partial Regex ThinkBlock();

    public static (string Answer, string? Reasoning) Split(string text)
    {
        var reasoning = new List<string>();
        var answer = ThinkBlock().Replace(text, m =>
        {
            reasoning.Add(m.Groups[1].Value.Trim());
            return "";
        });

        // Some servers strip the opening tag and leave "reasoning</think>answer".
        var close = answer.IndexOf("</think>", StringComparison.Ordinal);
        if (close >= 0)
        {
            reasoning.Insert(0, answer[..close].Trim());
            answer = answer[(close + "</think>".Length)..];
        }

        return (answer.Trim(), reasoning.Count == 0 ? null : string.Join("\n\n", reasoning.Where(r => r.Length > 0)));
    }
}
