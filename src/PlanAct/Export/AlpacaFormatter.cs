using System.Text.Json;
using PlanAct.Training;

namespace PlanAct.Export;

/// <summary>
/// Alpaca: <c>{"instruction", "input", "output"}</c>. The instruction is the system message; the input is the rest of
/// the prompt (earlier turns and the last user message, folded with <c>User:</c> / <c>Assistant:</c> headings when there
/// is more than one turn). Without a system message the last user message is the instruction and the earlier turns,
/// if any, the input. The output is the target.
/// </summary>
internal sealed class AlpacaFormatter : IExampleFormatter
{
    public string Name => "alpaca";

    public void WriteMembers(Utf8JsonWriter json, IReadOnlyList<ExampleMessage> messages)
    {
        var prompt = messages.Take(messages.Count - 1).ToList();
        string instruction;
        List<ExampleMessage> rest;
        if (prompt[0].Role == MessageRole.System)
        {
            instruction = prompt[0].Content;
            rest = prompt[1..];
        }
        else
        {
            instruction = prompt[^1].Content;
            rest = prompt[..^1];
        }

        json.WriteString("instruction", instruction);
        json.WriteString("input", rest.Count == 0 ? "" : ExampleFormatters.Fold(rest));
        json.WriteString("output", messages[^1].Content);
    }

    public string TrainerSnippet(string output) => $$"""
        LLaMA-Factory (`dataset_info.json` entry; the default alpaca columns):

        ```json
        "{{Path.GetFileNameWithoutExtension(output)}}": { "file_name": "{{Path.GetFileName(output)}}" }
        ```

        Axolotl: `datasets: [{ path: {{Path.GetFileName(output)}}, type: alpaca }]`.
        """;
}
