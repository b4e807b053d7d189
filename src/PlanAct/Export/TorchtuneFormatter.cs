using System.Text.Json;
using PlanAct.Training;

namespace PlanAct.Export;

/// <summary>
/// torchtune's instruct datasets (<c>instruct_dataset</c>, default column map): <c>{"input", "output"}</c>. The input is
/// the whole prompt: the system message, a blank line, then the turns (folded with <c>User:</c> / <c>Assistant:</c>
/// headings when there is more than one). The output is the target.
/// </summary>
internal sealed class TorchtuneFormatter : IExampleFormatter
{
    public string Name => "torchtune";

    public void WriteMembers(Utf8JsonWriter json, IReadOnlyList<ExampleMessage> messages)
    {
        var prompt = messages.Take(messages.Count - 1).ToList();
        var input = prompt[0].Role == MessageRole.System
            ? $"{prompt[0].Content}\n\n{ExampleFormatters.Fold(prompt[1..])}"
            : ExampleFormatters.Fold(prompt);
        json.WriteString("input", input);
        json.WriteString("output", messages[^1].Content);
    }

    public string TrainerSnippet(string output) => $$"""
        torchtune (no longer actively developed; prefer TRL or LLaMA-Factory for new work):

        ```yaml
        dataset:
          _component_: torchtune.datasets.instruct_dataset
          source: json
          data_files: {{Path.GetFileName(output)}}
          split: train
        ```
        """;
}
