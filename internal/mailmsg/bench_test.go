package mailmsg

import (
	"encoding/base64"
	"math/rand/v2"
	"strings"
	"testing"
)

const benchHeader = "Return-Path: <i.petrov@school12.edu.example>\r\n" +
	"Delivered-To: support@otvet.example\r\n" +
	"Received: from mx.school12.edu.example (mx.school12.edu.example [192.0.2.25])\r\n\tby mx.otvet.example (Postfix) with ESMTPS id 4Xy1Zq0b3sz9t\r\n\tfor <support@otvet.example>; Mon,  3 Mar 2025 10:15:01 +0300 (MSK)\r\n" +
	"Received: from [10.0.0.12] (unknown [10.0.0.12])\r\n\tby mx.school12.edu.example (Postfix) with ESMTPSA id 1A2B3C\r\n\tfor <support@otvet.example>; Mon,  3 Mar 2025 10:14:59 +0300 (MSK)\r\n" +
	"Authentication-Results: mx.otvet.example; dkim=pass (2048-bit key) header.d=school12.edu.example header.i=@school12.edu.example header.b=\"AbCdEfGh\";\r\n\tspf=pass smtp.mailfrom=school12.edu.example; dmarc=pass (p=quarantine dis=none) header.from=school12.edu.example\r\n" +
	"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=school12.edu.example; s=mail;\r\n\tt=1740986099; bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=;\r\n\th=Date:From:To:Subject:From;\r\n\tb=AbCdEfGhIjKlMnOpQrStUvWxYz0123456789AbCdEfGhIjKlMnOpQrStUvWxYz0123456789\r\n\t AbCdEfGhIjKlMnOpQrStUvWxYz0123456789AbCdEfGhIjKlMnOpQrStUvWxYz0123456789=\r\n" +
	"Message-ID: <8d2f4e1a-5b6c-4d7e-8f90-a1b2c3d4e5f6@school12.edu.example>\r\n" +
	"Date: Mon, 3 Mar 2025 10:14:58 +0300\r\n" +
	"MIME-Version: 1.0\r\n" +
	"User-Agent: Mozilla Thunderbird\r\n" +
	"Content-Language: ru\r\n" +
	"To: support@otvet.example\r\n" +
	"From: =?UTF-8?B?0JjQstCw0L0g0J/QtdGC0YDQvtCy?= <i.petrov@school12.edu.example>\r\n" +
	"Subject: =?UTF-8?B?0J3QtSDRgNCw0LHQvtGC0LDQtdGCINC/0YDQuNC90YLQtdGA?=\r\n"

func benchText(n int) string {
	var b strings.Builder
	for b.Len() < n {
		for _, s := range russian[:4] {
			b.WriteString(s)
			b.WriteString("\r\n")
		}
		b.WriteString("\r\n")
	}
	return b.String()
}

func benchPlain() []byte {
	return []byte(benchHeader + "Content-Type: text/plain; charset=UTF-8; format=flowed\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" + benchText(8500))
}

func benchKOI8(t testing.TB) []byte {
	h := strings.Replace(benchHeader, "UTF-8?B?0J3QtSDRgNCw0LHQvtGC0LDQtdGCINC/0YDQuNC90YLQtdGA", "KOI8-R?B?7sUg0sHCz9TBxdQg0NLJztTF0g==", 1)
	raw := []byte(h + "Content-Type: text/plain; charset=KOI8-R\r\nContent-Transfer-Encoding: 8bit\r\n\r\n")
	return append(raw, encode(t, csKOI8R, benchText(5000))...)
}

func benchScreenshot() []byte {
	r := rand.New(rand.NewPCG(1, 2))
	img := make([]byte, 150<<10)
	for i := range img {
		img[i] = byte(r.Uint32())
	}
	enc := base64.StdEncoding.EncodeToString(img)
	var b strings.Builder
	b.WriteString(benchHeader)
	b.WriteString("Content-Type: multipart/mixed; boundary=\"------------B0undary\"\r\n\r\n--------------B0undary\r\n")
	b.WriteString("Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n")
	b.WriteString(benchText(1500))
	b.WriteString("\r\n--------------B0undary\r\nContent-Type: image/png; name=\"screenshot.png\"\r\nContent-Disposition: attachment; filename=\"screenshot.png\"\r\nContent-Transfer-Encoding: base64\r\n\r\n")
	for i := 0; i < len(enc); i += 76 {
		b.WriteString(enc[i:min(i+76, len(enc))])
		b.WriteString("\r\n")
	}
	b.WriteString("--------------B0undary--\r\n")
	return []byte(b.String())
}

func BenchmarkParse(b *testing.B) {
	cases := []struct {
		name string
		raw  []byte
	}{
		{"plain10KB", benchPlain()},
		{"screenshot200KB", benchScreenshot()},
		{"koi8r", benchKOI8(b)},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			m, err := Parse(c.raw, Options{})
			if err != nil || len(m.Problems) > 0 || m.Text == "" || m.From == nil {
				b.Fatalf("bad benchmark input: %v %q", err, m.Problems)
			}
			b.ReportAllocs()
			b.SetBytes(int64(len(c.raw)))
			cpu0 := processCPUTime()
			for b.Loop() {
				if _, err := Parse(c.raw, Options{}); err != nil {
					b.Fatal(err)
				}
			}
			if cpu := processCPUTime() - cpu0; cpu > 0 {
				b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
			}
		})
	}
}

func BenchmarkHTMLToText(b *testing.B) {
	raw := readEML(b, "iphone-html.eml")
	m, _ := Parse(raw, Options{})
	b.ReportAllocs()
	for b.Loop() {
		htmlToText(m.HTML, 0)
	}
}

func TestBenchInputsAreSane(t *testing.T) {
	for name, raw := range map[string][]byte{"plain": benchPlain(), "shot": benchScreenshot(), "koi8": benchKOI8(t)} {
		m := mustParse(t, raw, Options{})
		if len(m.Problems) > 0 || !strings.Contains(m.Text, "Здравствуйте") || m.Subject == "" {
			t.Errorf("%s: problems %q subject %q", name, m.Problems, m.Subject)
		}
	}
}
