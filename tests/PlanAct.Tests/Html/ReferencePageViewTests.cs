using System.Text.Json;
using PlanAct.Html;

namespace PlanAct.Tests.Html;

/// <summary>
/// The reference-compatible renderings against the reference's own outputs (Fixtures/reference-views, made with
/// BeautifulSoup 4.11.2 on Python 3.11), then on markup the vectors do not cover, where the expected strings are what
/// the reference's functions print for them.
/// </summary>
public class ReferencePageViewTests
{
    private static readonly string VectorDir = Path.Combine(TestPaths.Root, "tests", "PlanAct.Tests", "Fixtures", "reference-views");

    private static readonly Lazy<List<JsonElement>> SampleRows = new(() => ReadRows("samples-views.jsonl"));

    private static readonly Lazy<List<JsonElement>> StartPageRows = new(() => ReadRows("start-pages-views.jsonl"));

    private static List<JsonElement> ReadRows(string file) =>
        File.ReadLines(Path.Combine(VectorDir, file)).Where(l => l.Length > 0).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();

    public static TheoryData<int, string> SampleVectors()
    {
        var data = new TheoryData<int, string>();
        for (var row = 0; row < SampleRows.Value.Count; row++)
        {
            foreach (var view in new[] { "planner", "executor", "earlier_round" })
            {
                data.Add(row, view);
            }
        }

        return data;
    }

    public static TheoryData<string, string> StartPageVectors()
    {
        var data = new TheoryData<string, string>();
        foreach (var row in StartPageRows.Value)
        {
            foreach (var view in new[] { "planner", "executor", "earlier_round_element_9999" })
            {
                data.Add(row.GetProperty("page").GetString()!, view);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(SampleVectors))]
    public void Sample_step_renders_as_the_reference_does(int row, string view)
    {
        var vector = SampleRows.Value[row];
        var html = vector.GetProperty("html").GetString()!;
        var element = vector.GetProperty("element").ValueKind == JsonValueKind.Null ? null : vector.GetProperty("element").GetString();
        var actual = view switch
        {
            "planner" => ReferencePageView.Planner(html),
            "executor" => ReferencePageView.Executor(html, element),
            _ => ReferencePageView.EarlierRound(html, element),
        };
        var label = $"{vector.GetProperty("trajectory").GetString()} step {vector.GetProperty("step").GetInt32()} {view}";
        AssertSameText(vector.GetProperty(view).GetString()!, actual, label);
    }

    [Theory]
    [MemberData(nameof(StartPageVectors))]
    public void Start_page_renders_as_the_reference_does(string page, string view)
    {
        var vector = StartPageRows.Value.Single(r => r.GetProperty("page").GetString() == page);
        var html = vector.GetProperty("html").GetString()!;
        var actual = view switch
        {
            "planner" => ReferencePageView.Planner(html),
            "executor" => ReferencePageView.Executor(html, null),
            _ => ReferencePageView.EarlierRound(html, "9999"),
        };
        AssertSameText(vector.GetProperty(view).GetString()!, actual, $"start page {page} {view}");
    }

    [Fact]
    public void Every_vector_is_tested()
    {
        Assert.Equal(115, SampleRows.Value.Count);
        Assert.Equal(5, StartPageRows.Value.Count);
    }

    [Fact]
    public void Unclosed_tags_are_closed_at_the_end_of_the_page()
    {
        // Nothing closes div, a and span: the end of input closes them. The span's text joins the link's, and the div, left with one child and no attributes, is unwrapped.
        const string page = "<html><body><div><a id=\"1\">Go<span>x</body></html>";
        AssertSameText(
            """
            <body>
             <a>
              Go x
             </a>
            </body>
            """,
            ReferencePageView.Planner(page),
            "planner");
        AssertSameText(
            """
            <body>
             <a id="1">
              Go x
             </a>
            </body>
            """,
            ReferencePageView.Executor(page, "1"),
            "executor");
    }

    [Fact]
    public void Stray_end_tags_are_ignored()
    {
        // </span>, </p> and </i> close nothing that is open, so they vanish; the div's two strings are joined.
        const string page = "<body></span><div id=\"2\">a</p>b</div></i></body>";
        AssertSameText(
            """
            <body>
             <div>
              a b
             </div>
            </body>
            """,
            ReferencePageView.Planner(page),
            "planner");
        AssertSameText(
            """
            <body>
             <div id="2">
              a b
             </div>
            </body>
            """,
            ReferencePageView.Executor(page, "2"),
            "executor");
    }

    [Fact]
    public void Entities_decode_as_the_reference_parser_decodes_them()
    {
        // In text: known names with or without ';', numbers (150 read as windows-1252, an en dash), an unknown '&foo;' kept as '&foo' (its ';' lost), and a prefix like '&copy2024' left alone; &nbsp; is a space that strip() removes at the edges only. In attributes Python's html.unescape applies: '&notit;' becomes '¬it;' and '&copy2024' becomes '©2024'. Printing escapes &, < and > again.
        const string page = "<body><p>Fish &amp; Chips &lt;3 &gt; &nbsp; caf&eacute; &#233; &#x41; &#150; &foo; &amp &copy2024</p><a id=\"1\" title=\"a&amp;b &lt; &quot;q&quot; &notit; &#39; &#150; &copy2024\">x</a></body>";
        AssertSameText("<body>\n <p>\n  Fish &amp; Chips &lt;3 &gt; \u00a0 caf\u00e9 \u00e9 A \u2013 &amp;foo &amp; &amp;copy2024\n </p>\n <a title=\"a&amp;b &lt; &quot;q&quot; \u00acit; ' \u2013 \u00a92024\">\n  x\n </a>\n</body>", ReferencePageView.Planner(page), "planner");
        AssertSameText("<body>\n <p>\n  Fish &amp; Chips &lt;3 &gt; \u00a0 caf\u00e9 \u00e9 A \u2013 &amp;foo &amp; &amp;copy2024\n </p>\n <a id=\"1\" title=\"a&amp;b &lt; &quot;q&quot; \u00acit; ' \u2013 \u00a92024\">\n  x\n </a>\n</body>", ReferencePageView.Executor(page, "1"), "executor");
    }

    [Fact]
    public void Scripts_styles_noscript_and_footers_are_removed_with_their_contents()
    {
        // A '</div>' inside the script is script text, not a tag.
        const string page = "<body><script>if (a < b && c) { x = \"</div>\"; }</script><style>p > a { }</style><div id=\"3\">ok</div><noscript>no</noscript><footer id=\"9\">f</footer></body>";
        AssertSameText(
            """
            <body>
             <div>
              ok
             </div>
            </body>
            """,
            ReferencePageView.Planner(page),
            "planner");
        AssertSameText(
            """
            <body>
             <div id="3">
              ok
             </div>
            </body>
            """,
            ReferencePageView.Executor(page, "3"),
            "executor");
    }

    [Fact]
    public void A_kept_script_prints_its_text_unescaped()
    {
        // With its id kept, the script stays, and script text is printed as written.
        const string page = "<body><script id=\"9\">if (a < b) {}</script><div>x</div></body>";
        AssertSameText(
            """
            <body>
             x
            </body>
            """,
            ReferencePageView.Planner(page),
            "planner");
        AssertSameText(
            """
            <body>
             <script id="9">
              if (a < b) {}
             </script>
             <div>
              x
             </div>
            </body>
            """,
            ReferencePageView.Executor(page, "9"),
            "executor");
    }

    [Fact]
    public void Comments_are_removed_and_an_unclosed_one_becomes_text()
    {
        // An unclosed comment at the end of input is text up to the next '>' and the rest follows as text.
        const string page = "<body><!-- hidden --><div>a<!-- mid -->b</div><!---->  <!--unclosed</body>";
        AssertSameText(
            """
            <body>
             <div>
              a b
             </div>
             &lt;!--unclosed&lt;/body&gt;
            </body>
            """,
            ReferencePageView.Planner(page),
            "planner");
        AssertSameText(
            """
            <body>
             <div>
              a b
             </div>
             &lt;!--unclosed&lt;/body&gt;
            </body>
            """,
            ReferencePageView.Executor(page, null),
            "executor");
        AssertSameText(
            """
            <body>
             a b &lt;!--unclosed&lt;/body&gt;
            </body>
            """,
            ReferencePageView.EarlierRound(page, null),
            "earlier_round");
    }

    [Fact]
    public void Attributes_are_filtered_renamed_and_printed_in_sorted_order()
    {
        // aria-label/selected/expanded are renamed (an existing label takes aria-label's value), default values go (input type=text, contenteditable not 'true'), a div with role=button becomes a button, and blank values stay only when renamed.
        const string page = "<body><button type=\"submit\" title=\"T\" aria-label=\"L\" id=\"4\" value=\"v\" data-text=\"D\">Go</button><div role=\"button\" type=\"button\" id=\"5\">x</div><input type=\"text\" id=\"6\" placeholder=\"P\" aria-expanded=\"false\" aria-selected=\"\" contenteditable=\"false\" label=\"old\" aria-label=\"new\"></body>";
        AssertSameText(
            """
            <body>
             <button data-text="D" label="L" title="T" type="submit" value="v">
              Go
             </button>
             <button>
              x
             </button>
             <input expanded="false" label="new" placeholder="P" selected=""/>
            </body>
            """,
            ReferencePageView.Planner(page),
            "planner");
        AssertSameText(
            """
            <body>
             <button data-text="D" id="4" label="L" title="T" type="submit" value="v">
              Go
             </button>
             <button id="5">
              x
             </button>
             <input expanded="false" id="6" label="new" placeholder="P" selected=""/>
            </body>
            """,
            ReferencePageView.Executor(page, "5"),
            "executor");
    }

    [Fact]
    public void A_page_without_body_is_rendered_from_its_top()
    {
        // Without a body the document is the root: its children print at the left margin. In the earlier round the ancestor chain reaches the document itself, printed as the text '<[document]>'.
        const string page = "<div><a id=\"1\">x</a><p>t</p></div>";
        AssertSameText(
            """
            <a>
             x
            </a>
            <p>
             t
            </p>
            """,
            ReferencePageView.Planner(page),
            "planner");
        AssertSameText(
            """
            <a id="1">
             x
            </a>
            <p>
             t
            </p>
            """,
            ReferencePageView.Executor(page, "1"),
            "executor");
        AssertSameText(
            """
            <body>
             <div>
              <a id="1">
               x
              </a>
              <p>
               t
              </p>
              <a id="1">
              </a>
             </div>
             &lt;[document]&gt;
            </body>
            """,
            ReferencePageView.EarlierRound(page, "1"),
            "earlier_round");
    }

    [Fact]
    public void Text_moves_behind_the_child_elements()
    {
        // The cleaner joins an element's strings and appends them after its children; the b element is unwrapped first, so its text joins too.
        const string page = "<body><div id=\"1\">Hello <b>big</b> world <a id=\"2\">link</a> end</div></body>";
        AssertSameText(
            """
            <body>
             <div>
              <a>
               link
              </a>
              Hello big world end
             </div>
            </body>
            """,
            ReferencePageView.Planner(page),
            "planner");
        AssertSameText(
            """
            <body>
             <div id="1">
              <a id="2">
               link
              </a>
              Hello big world end
             </div>
            </body>
            """,
            ReferencePageView.Executor(page, "2"),
            "executor");
        AssertSameText(
            """
            <body>
             <div id="1">
              <a id="2">
               link
              </a>
              <div id="1">
               <a id="2">
               </a>
               Hello world end
              </div>
              <body>
               <div id="1">
                <a id="2">
                </a>
               </div>
              </body>
              big
             </div>
            </body>
            """,
            ReferencePageView.EarlierRound(page, "2"),
            "earlier_round");
    }

    [Fact]
    public void Whitespace_and_no_break_spaces_are_stripped_at_the_edges()
    {
        // A string of only &nbsp; is blank to Python's strip(); inner line breaks stay.
        const string page = "<body><span>&nbsp;</span><p>  a\n  b  </p><span data-text=\"x\">&#160;y&#160;</span></body>";
        AssertSameText(
            """
            <body>
             <p>
              a
              b
             </p>
             <span data-text="x">
              y
             </span>
            </body>
            """,
            ReferencePageView.Planner(page),
            "planner");
        AssertSameText(
            """
            <body>
             <p>
              a
              b
             </p>
             <span data-text="x">
              y
             </span>
            </body>
            """,
            ReferencePageView.Executor(page, null),
            "executor");
    }

    [Fact]
    public void Pre_and_textarea_are_printed_without_added_whitespace()
    {
        // Their strings are still stripped by the cleaner, but prettify neither indents nor breaks inside them.
        const string page = "<body><textarea id=\"1\">  keep  me </textarea><pre>  x\n y </pre><a id=\"2\">z</a></body>";
        AssertSameText(
            """
            <body>
             <textarea>keep  me</textarea>
             <pre>x
             y</pre>
             <a>
              z
             </a>
            </body>
            """,
            ReferencePageView.Planner(page),
            "planner");
        AssertSameText(
            """
            <body>
             <textarea id="1">keep  me</textarea>
             <pre>x
             y</pre>
             <a id="2">
              z
             </a>
            </body>
            """,
            ReferencePageView.Executor(page, "1"),
            "executor");
        AssertSameText(
            """
            <body>
             <textarea id="1">keep  me</textarea>
             <pre>x
             y</pre>
             <a id="2">
              z
             </a>
             <body>
              <textarea id="1"></textarea>
              <a id="2">
              </a>
             </body>
            </body>
            """,
            ReferencePageView.EarlierRound(page, "1"),
            "earlier_round");
    }

    [Fact]
    public void Tag_and_attribute_names_are_lower_cased()
    {
        const string page = "<BODY><DIV ID=\"1\" Title=\"X\">t</DIV><A ID=\"2\">u</A></BODY>";
        AssertSameText(
            """
            <body>
             <div title="X">
              t
             </div>
             <a>
              u
             </a>
            </body>
            """,
            ReferencePageView.Planner(page),
            "planner");
        AssertSameText(
            """
            <body>
             <div id="1" title="X">
              t
             </div>
             <a id="2">
              u
             </a>
            </body>
            """,
            ReferencePageView.Executor(page, "2"),
            "executor");
    }

    [Fact]
    public void Unquoted_and_odd_attribute_values_parse_as_html_parser_reads_them()
    {
        // value='it''s' ends at the second quote; the trailing 's' becomes an attribute named 's' (quotes and all) that is filtered out. A bare value runs to whitespace or '>'.
        const string page = "<body><a id=7 title=hello>x</a><input id=8 value='it''s' placeholder=a=b></body>";
        AssertSameText(
            """
            <body>
             <a title="hello">
              x
             </a>
             <input placeholder="a=b" value="it"/>
            </body>
            """,
            ReferencePageView.Planner(page),
            "planner");
        AssertSameText(
            """
            <body>
             <a id="7" title="hello">
              x
             </a>
             <input id="8" placeholder="a=b" value="it"/>
            </body>
            """,
            ReferencePageView.Executor(page, "8"),
            "executor");
    }

    [Fact]
    public void Svg_contents_are_dropped()
    {
        const string page = "<body><svg id=\"1\"><path d=\"M0\"/></svg><a id=\"2\"><svg><use/></svg>x</a></body>";
        AssertSameText(
            """
            <body>
             <svg>
             </svg>
             <a>
              x
             </a>
            </body>
            """,
            ReferencePageView.Planner(page),
            "planner");
        AssertSameText(
            """
            <body>
             <svg id="1">
             </svg>
             <a id="2">
              x
             </a>
            </body>
            """,
            ReferencePageView.Executor(page, "2"),
            "executor");
    }

    [Fact]
    public void A_repeated_attribute_keeps_the_last_value()
    {
        const string page = "<body><a id=\"1\" title=\"a\" title=\"b\">x</a></body>";
        AssertSameText(
            """
            <body>
             <a id="1" title="b">
              x
             </a>
            </body>
            """,
            ReferencePageView.Executor(page, "1"),
            "executor");
    }

    [Fact]
    public void A_self_closed_void_element_after_an_open_one_stays_open()
    {
        // html.parser remembers that '<br>' was closed at its start and swallows the next '</br>'; '<br/>' sends one, so this br is never closed and takes 'd' in.
        const string page = "<body><p>a<br>b</p><div>c<br/>d</div><span id=\"1\">e</span></body>";
        AssertSameText(
            """
            <body>
             <p>
              a b
             </p>
             <div>
              <br>
               d
              </br>
              c
             </div>
             <span>
              e
             </span>
            </body>
            """,
            ReferencePageView.Planner(page),
            "planner");
        AssertSameText(
            """
            <body>
             <p>
              a b
             </p>
             <div>
              <br>
               d
              </br>
              c
             </div>
             <span id="1">
              e
             </span>
            </body>
            """,
            ReferencePageView.Executor(page, "1"),
            "executor");
    }

    [Fact]
    public void A_doctype_outside_the_body_is_not_rendered()
    {
        const string page = "<!DOCTYPE html><html><body><p>x</p></body></html>";
        AssertSameText(
            """
            <body>
             x
            </body>
            """,
            ReferencePageView.Planner(page),
            "planner");
    }

    [Fact]
    public void Lone_angle_brackets_and_ampersands_are_text()
    {
        const string page = "<body><p>a < b & c <3 d</p><a id=\"1\">&</a></body>";
        AssertSameText(
            """
            <body>
             <p>
              a &lt; b &amp; c &lt;3 d
             </p>
             <a>
              &amp;
             </a>
            </body>
            """,
            ReferencePageView.Planner(page),
            "planner");
        AssertSameText(
            """
            <body>
             <p>
              a &lt; b &amp; c &lt;3 d
             </p>
             <a id="1">
              &amp;
             </a>
            </body>
            """,
            ReferencePageView.Executor(page, "1"),
            "executor");
    }

    [Fact]
    public void An_unfinished_tag_at_the_end_of_the_page_is_text()
    {
        const string page = "<body><p>x</p><a id=\"1\" title=\"unfinished";
        AssertSameText(
            """
            <body>
             <p>
              x
             </p>
             &lt;a title="unfinished
            </body>
            """,
            ReferencePageView.Planner(page),
            "planner");
        AssertSameText(
            """
            <body>
             <p>
              x
             </p>
             &lt;a id="1" title="unfinished
            </body>
            """,
            ReferencePageView.Executor(page, "1"),
            "executor");
    }

    [Fact]
    public void Stripping_ids_also_hits_text_that_looks_like_an_id()
    {
        // The reference strips ids with a regular expression over the printed page, so ' id="7"' in text goes too.
        const string page = "<body><p>the id=\"7\" text</p><a id=\"1\" title='say \"hi\"'>x</a></body>";
        AssertSameText(
            """
            <body>
             <p>
              the text
             </p>
             <a title='say "hi"'>
              x
             </a>
            </body>
            """,
            ReferencePageView.Planner(page),
            "planner");
        AssertSameText(
            """
            <body>
             <p>
              the id="7" text
             </p>
             <a id="1" title='say "hi"'>
              x
             </a>
            </body>
            """,
            ReferencePageView.Executor(page, "1"),
            "executor");
    }

    [Fact]
    public void Attribute_values_with_quotes_pick_their_quote_as_the_reference_does()
    {
        // Double quotes by default; single quotes when the value holds '"' only; &quot; when it holds both.
        const string page = "<body><a id=\"1\" title=\"it's &quot;x&quot;\">x</a><a id=\"2\" title=\"say &quot;hi&quot;\">y</a></body>";
        AssertSameText(
            """
            <body>
             <a title="it's &quot;x&quot;">
              x
             </a>
             <a title='say "hi"'>
              y
             </a>
            </body>
            """,
            ReferencePageView.Planner(page),
            "planner");
    }

    [Fact]
    public void An_element_with_a_name_attribute_near_the_target_makes_the_earlier_round_fall_back()
    {
        // The reference copies elements with new_tag(name, **attrs), which raises on an attribute called 'name'; it then renders the whole page with the destructive cleaner.
        const string page = "<body><div><input id=\"3\" name=\"q\"><a id=\"4\">x</a></div></body>";
        AssertSameText(
            """
            <body>
             <input id="3" name="q"/>
             <a id="4">
              x
             </a>
            </body>
            """,
            ReferencePageView.EarlierRound(page, "4"),
            "earlier_round");
    }

    [Fact]
    public void An_earlier_round_with_an_element_not_on_the_page_falls_back()
    {
        const string page = "<body><div><a id=\"1\">x</a><input id=\"2\"></div></body>";
        AssertSameText(
            """
            <body>
             <a id="1">
              x
             </a>
             <input id="2"/>
            </body>
            """,
            ReferencePageView.EarlierRound(page, "77"),
            "earlier_round");
    }

    [Fact]
    public void The_earlier_round_shows_neighbours_and_ancestors_cut_to_five_descendants()
    {
        // Two neighbours on each side of the target's li, then the ul itself from the level above, each copied with at most five descendants; the copies took the strings they hold out of the page, so later copies of the same elements are empty.
        const string page = "<body><ul><li><a id=\"1\">one</a></li><li><a id=\"2\">two</a></li><li><a id=\"3\">three</a></li><li><a id=\"4\">four</a></li></ul></body>";
        AssertSameText(
            """
            <body>
             <ul>
              <li>
               <a id="3">
                three
               </a>
               <li>
                <a id="1">
                 one
                </a>
               </li>
               <li>
                <a id="2">
                 two
                </a>
               </li>
               <li>
                <a id="3">
                </a>
               </li>
               <li>
                <a id="4">
                 four
                </a>
               </li>
               <ul>
                <li>
                 <a id="1">
                 </a>
                </li>
                <li>
                 <a id="2">
                 </a>
                </li>
                <li>
                 ... truncated ...
                </li>
                ... truncated ...
               </ul>
              </li>
             </ul>
            </body>
            """,
            ReferencePageView.EarlierRound(page, "3"),
            "earlier_round");
    }

    [Fact]
    public void A_target_inside_a_footer_gets_the_minimal_snippet()
    {
        // The snippet's copy of the footer is removed by the cleaner, leaving nothing; the reference then prints the element alone with the text left in it, ids stripped.
        const string page = "<body><div><p>intro</p></div><footer><div><a id=\"5\">Contact <b>us</b></a></div></footer></body>";
        AssertSameText(
            """
            <body>
             <a>
             </a>
            </body>
            """,
            ReferencePageView.EarlierRound(page, "5"),
            "earlier_round");
    }

    [Fact]
    public void Cdata_and_processing_instructions()
    {
        const string page = "<body><p><![CDATA[raw < text]]></p><?php echo 1 ?><a id=\"1\">x</a></body>";
        AssertSameText(
            """
            <body>
             <p>
              raw &lt; text
             </p>
             <a>
              x
             </a>
             php echo 1 ?
            </body>
            """,
            ReferencePageView.Planner(page),
            "planner");
    }

    [Fact]
    public void A_broken_character_reference_ends_parsing_and_the_rest_is_text()
    {
        // html.parser gives up at '&#' followed later by ';': what follows is one string, markup included.
        const string page = "<body><p>a &#; b</p><a id=\"1\">x</a></body>";
        AssertSameText(
            """
            <body>
             <p>
              a &amp;#; b
             </p>
             <a>
              x
             </a>
            </body>
            """,
            ReferencePageView.Planner(page),
            "planner");
    }

    [Fact]
    public void An_empty_page_renders_as_nothing()
    {
        // The cleaner removes the empty root, and the reference returns "". Its earlier-round fallback then runs its
        // second pass on the removed root and raises; an empty rendering is the sensible answer there.
        Assert.Equal("", ReferencePageView.Planner(""));
        Assert.Equal("", ReferencePageView.Executor("", "1"));
        Assert.Equal("", ReferencePageView.EarlierRound("", null));
        Assert.Equal("", ReferencePageView.Planner("<html><body> <div> </div> <!-- x --> </body></html>"));
    }

    /// <summary>Byte-for-byte equality; on failure the message shows where the texts part and both sides there.</summary>
    private static void AssertSameText(string expected, string actual, string label)
    {
        if (expected == actual)
        {
            return;
        }

        var at = 0;
        while (at < expected.Length && at < actual.Length && expected[at] == actual[at])
        {
            at++;
        }

        var line = expected.AsSpan(0, at).Count('\n') + 1;
        var from = Math.Max(0, at - 120);
        Assert.Fail(
            $"{label}: first difference at char {at} (line {line}); expected length {expected.Length}, actual {actual.Length}\n" +
            $"--- expected from {from}:\n{Excerpt(expected, from)}\n--- actual from {from}:\n{Excerpt(actual, from)}");
    }

    private static string Excerpt(string s, int from) => from >= s.Length ? "<end>" : s.Substring(from, Math.Min(300, s.Length - from));
}
