package regform

import "testing"

func BenchmarkParseOutlookHTML(b *testing.B) {
	m := loadEML(b, "01-outlook-html.eml")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(m); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseXLSX(b *testing.B) {
	m := loadEML(b, "06-xlsx.eml")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(m); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDetectSupportMail is the common case at intake: an ordinary
// request that is not a connection request.
func BenchmarkDetectSupportMail(b *testing.B) {
	m := loadEML(b, "13-not-a-request.eml")
	b.ReportAllocs()
	for b.Loop() {
		Detect(m)
	}
}
