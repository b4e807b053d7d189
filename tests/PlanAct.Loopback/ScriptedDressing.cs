using System.Globalization;
using System.Text.RegularExpressions;

namespace PlanAct.Loopback;

/// <summary>
/// Dresses a scripted answer the way chat models do, keeping what it says: a <c>&lt;think&gt;</c> block, a preface,
/// a <c>```markdown</c> fence, <c>### **Step 1:**</c> headings, <c>**Name:**</c> field names and <c>**Name:**</c>
/// section headings, bracket-less and range <c>Actions:</c> lists, a postscript and Windows line ends. An answer
/// without structure (a description) gets a bold label instead of the preface, fence and postscript.
/// </summary>
public static partial class ScriptedDressing
{
    [GeneratedRegex(@"^## (Step|Data Pair) (\d+)$", RegexOptions.Multiline)]
    private static partial Regex NumberedHeading();

    [GeneratedRegex(@"^## (Reasoning|Action|Classification|Thinking)$", RegexOptions.Multiline)]
    private static partial Regex Section();

    [GeneratedRegex(@"^(Reasoning|Description|Step|Actions|User Query|Initial HTML State|Global Plan|Verdict|Reason):", RegexOptions.Multiline)]
    private static partial Regex Field();

    [GeneratedRegex(@"^\*\*Actions:\*\* \[([\d, ]+)\]$", RegexOptions.Multiline)]
    private static partial Regex ActionsList();

    /// <summary>The same reply with its answer dressed; other replies as they are.</summary>
    public static LoopbackReply Dress(LoopbackReply reply) =>
        reply is LoopbackReply.Answer answer ? answer with { Text = Dress(answer.Text) } : reply;

    public static string Dress(string answer)
    {
        var text = answer.Trim();
        if (!text.Contains('\n', StringComparison.Ordinal))
        {
            text = "**Description:** " + text;
        }
        else
        {
            text = NumberedHeading().Replace(text, "### **$1 $2:**");
            text = Section().Replace(text, "**$1:**");
            text = Field().Replace(text, "**$1:**");
            text = ActionsList().Replace(text, m => "**Actions:** " + Written(m.Groups[1].Value));
            text = $"Sure! Here is my answer.\n\n```markdown\n{text}\n```\n\nLet me know if you need any changes.";
        }

        return $"<think>\nI will answer in the form asked for.\n</think>\n{text}\n".Replace("\n", "\r\n", StringComparison.Ordinal);
    }

    // A run of two or more as a range, other lists bare: "1-3", "0".
    private static string Written(string list)
    {
        var indices = list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(i => int.Parse(i, CultureInfo.InvariantCulture)).ToList();
        return indices.Count > 1 && indices[^1] - indices[0] == indices.Count - 1
            ? string.Create(CultureInfo.InvariantCulture, $"{indices[0]}-{indices[^1]}")
            : string.Join(", ", indices);
    }
}
