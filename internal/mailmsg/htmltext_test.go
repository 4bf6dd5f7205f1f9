package mailmsg

import "testing"

func TestHTMLToText(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"paragraphs", "<p>One</p><p>Two</p>", "One\n\nTwo"},
		{"br", "a<br>b<br/><br>c", "a\nb\n\nc"},
		{"divs", "<div>a</div><div>b</div>", "a\nb"},
		{"empty div with br is a blank line", "<div>a</div><div><br></div><div>b</div>", "a\n\nb"},
		{"script style head dropped", "<html><head><title>T</title><style>p{}</style></head><body><script>x()</script>Hi</body></html>", "Hi"},
		{"head without close", "<head><meta charset=utf-8><title>T</title><body>Hi", "Hi"},
		{"list", "<p>Steps:</p><ul><li>one</li><li>two</li></ul>", "Steps:\n\n- one\n- two"},
		{"nested list", "<ul><li>a<ul><li>b</li></ul></li></ul>", "- a\n  - b"},
		{"link with text", `<a href="https://x.example/a">портал</a>`, "портал (https://x.example/a)"},
		{"link equal to text", `<a href="https://x.example/">https://x.example/</a>`, "https://x.example/"},
		{"link without scheme in text", `<a href="https://x.example">x.example</a>`, "x.example"},
		{"mailto equal", `<a href="mailto:a@b.c">a@b.c</a>`, "a@b.c"},
		{"javascript link dropped", `<a href="javascript:void(0)">click</a>`, "click"},
		{"empty link text shows url", `<a href="https://x.example/y"></a>`, "https://x.example/y"},
		{"entities", "Tom &amp; Jerry&nbsp;&laquo;ok&raquo; &#1046;", "Tom & Jerry «ok» Ж"},
		{"whitespace collapsed", "  a \n\n  b\t\tc  ", "a b c"},
		{"pre kept", "<pre>a\n  b</pre>", "a\n  b"},
		{"table cells", "<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>", "a b\nc"},
		{"headings", "<h1>Title</h1>text", "Title\n\ntext"},
		{"broken markup", "<p>a<b>b</p>c</i><div", "ab\n\nc"},
		{"comment", "a<!-- hidden -->b", "ab"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got, _ := htmlToText(tc.in, 0); got != tc.want {
				t.Errorf("htmlToText(%q)\n got %q\nwant %q", tc.in, got, tc.want)
			}
		})
	}
}
