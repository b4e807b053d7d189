using System.ClientModel.Primitives;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace PlanAct.Teacher;

/// <summary>
/// Reads an answer and its reasoning trace apart, wherever the provider put the trace: reasoning content items,
/// a <c>reasoning_content</c> field on the message (vLLM, DeepSeek), or <c>&lt;think&gt;</c> blocks in the text.
/// </summary>
internal static class TeacherAnswer
{
    public static (string Answer, string? Reasoning) Read(ChatResponse response)
    {
        var (answer, think) = ReasoningSplitter.Split(response.Text);
        var traces = response.Messages.SelectMany(m => m.Contents).OfType<TextReasoningContent>().Select(c => c.Text).ToList();
        if (traces.Count == 0 && RawReasoningContent(response.RawRepresentation) is { } raw)
        {
            traces.Add(raw);
        }

        if (think is not null)
        {
            traces.Add(think);
        }

        var reasoning = string.Join("\n\n", traces.Where(t => !string.IsNullOrWhiteSpace(t)).Select(t => t.Trim()));
        return (answer, reasoning.Length == 0 ? null : reasoning);
    }

    /// <summary>
    /// Why an answer cannot be used although the request succeeded (cut by the length limit, withheld by a content
    /// filter), or null when it can. Online and batched answers are judged by this one rule.
    /// </summary>
    public static string? Unusable(ChatResponse response) =>
        response.FinishReason == ChatFinishReason.Length ? "the answer was cut by the output token limit (finish_reason = length)"
        : response.FinishReason == ChatFinishReason.ContentFilter ? "the answer was withheld by a content filter (finish_reason = content_filter)"
        : null;

    private static string? RawReasoningContent(object? raw)
    {
        if (raw is null)
        {
            return null;
        }

        try
        {
            using var doc = JsonDocument.Parse(ModelReaderWriter.Write(raw, ModelReaderWriterOptions.Json).ToMemory());
            return doc.RootElement.TryGetProperty("choices", out var choices) && choices.ValueKind == JsonValueKind.Array && choices.GetArrayLength() > 0
                && choices[0].TryGetProperty("message", out var message)
                && message.TryGetProperty("reasoning_content", out var content) && content.ValueKind == JsonValueKind.String
                ? content.GetString()
                : null;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or NotSupportedException)
        {
            return null;
        }
    }
}
