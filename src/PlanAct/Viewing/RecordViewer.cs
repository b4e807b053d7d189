using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PlanAct.IO;
using PlanAct.Training;
using PlanAct.Training.Profiles;

namespace PlanAct.Viewing;

/// <summary>How the viewer serves: its port (0: one the system picks), the profiles the pages offer and the page budget of examples.</summary>
internal sealed record ViewerOptions
{
    public int Port { get; init; }

    /// <summary>The profiles by name; the first is the one pages start with.</summary>
    public required IReadOnlyList<PromptProfile> Profiles { get; init; }

    /// <summary>Overrides the profiles' page budget when set.</summary>
    public int? MaxPageTokens { get; init; }

    /// <summary>Records per list page.</summary>
    public int PageSize { get; init; } = 50;
}

/// <summary>
/// The local web server of <c>planact view</c>: Kestrel on 127.0.0.1 only, serving the list and record pages of a
/// <see cref="RecordBrowser"/> and the viewer's own style sheet and script; nothing else is fetched or listened on.
/// </summary>
internal sealed class RecordViewer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private RecordViewer(WebApplication app, Uri url)
    {
        _app = app;
        Url = url;
    }

    /// <summary>The address the pages are served at.</summary>
    public Uri Url { get; }

    /// <exception cref="IOException">The port is taken (Kestrel's own exception, an <see cref="IOException"/>).</exception>
    public static async Task<RecordViewer> StartAsync(RecordBrowser browser, ViewerOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfZero(options.Profiles.Count);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, options.Port));
        var app = builder.Build();
        var profiles = options.Profiles.Select(p => p.Name).ToList();
        app.MapGet("/", (HttpContext context) =>
        {
            var query = QueryOf(context.Request, profiles);
            var (entries, total) = browser.Index.Page(query.Filter, query.Page, options.PageSize);
            return Html(ViewerPages.List(browser, query, entries, total, options.PageSize));
        });
        app.MapGet("/record/{number:int}", async (int number, HttpContext context) =>
        {
            if (browser.Index.Entry(number) is not { } entry)
            {
                return Results.NotFound();
            }

            var query = QueryOf(context.Request, profiles);
            var pageOptions = new ExamplePageOptions { Profile = options.Profiles.First(p => p.Name == query.Profile), MaxPageTokens = options.MaxPageTokens };
            try
            {
                var view = await browser.ViewAsync(entry, pageOptions, context.RequestAborted);
                return Html(ViewerPages.Record(view, query, profiles));
            }
            catch (InputException e)
            {
                // The file changed since it was indexed (a stage still writing it): say so rather than fail the server.
                return Results.Content($"<!DOCTYPE html><p>{WebUtility.HtmlEncode(e.Message)}</p><p>Restart planact view to index the files again.</p>", "text/html; charset=utf-8", statusCode: StatusCodes.Status409Conflict);
            }
        });
        app.MapGet(ViewerPages.StylePath, () => Results.Text(ViewerPages.Style, "text/css; charset=utf-8"));
        app.MapGet(ViewerPages.ScriptPath, () => Results.Text(ViewerPages.Script, "text/javascript; charset=utf-8"));
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new RecordViewer(app, new Uri(address.EndsWith('/') ? address : address + "/"));
    }

    /// <summary>Stops serving. Connections a browser keeps open are closed after a moment rather than waited for: Ctrl-C must stop the viewer promptly.</summary>
    public async ValueTask DisposeAsync()
    {
        using var patience = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        await _app.StopAsync(patience.Token);
        await _app.DisposeAsync();
    }

    private static IResult Html(string page) => Results.Content(page, "text/html; charset=utf-8");

    /// <summary>The filter, page and profile of a request; an empty or unknown value asks for no filter, the first page or the first profile.</summary>
    private static PageQuery QueryOf(HttpRequest request, IReadOnlyList<string> profiles)
    {
        string? Value(string key) => request.Query[key].FirstOrDefault() is { Length: > 0 } value ? value : null;
        var page = int.TryParse(Value("page"), NumberStyles.None, CultureInfo.InvariantCulture, out var number) ? number : 0;
        var profile = Value("profile") is { } name && profiles.Contains(name) ? name : profiles[0];
        return new PageQuery(new RecordFilter(Value("kind"), Value("site"), Value("origin"), Value("outcome")), page, profile);
    }
}
