package mailmsg

import (
	"bytes"
	"encoding/binary"
	"path"
	"strings"
	"unicode"
)

// Kinds of risk, the part of RiskReason before the colon.
const (
	RiskExecutable = "executable"  // a program or script: runs when opened
	RiskMacro      = "macro"       // an Office document with macros (VBA)
	RiskArchive    = "archive"     // an archive holding a risky file
	RiskHiddenName = "hidden_name" // the name hid its real end with bidi controls
)

// defaultRiskyExtensions: programs and scripts that run when opened, then
// Office documents that may carry macros.
const defaultRiskyExtensions = "exe com scr bat cmd msi msp ps1 vbs vbe js jse jar lnk hta dll pif cpl reg wsf wsh " +
	"docm dotm xlsm xltm xlam pptm potm ppsm"

// DefaultRiskyExtensions returns the extensions (lower case, without the
// dot) that make an attachment risky when Options.RiskyExtensions is nil:
// programs and scripts that run when opened, and Office documents that may
// carry macros.
func DefaultRiskyExtensions() []string {
	return strings.Fields(defaultRiskyExtensions)
}

// macroExtensions are the extensions whose risk is RiskMacro rather than
// RiskExecutable.
func macroExtension(ext string) bool {
	switch ext {
	case "docm", "dotm", "xlsm", "xltm", "xlam", "xlsb", "pptm", "potm", "ppsm", "ppam", "sldm":
		return true
	}
	return false
}

// Bounds of the content checks.
const (
	maxArchiveEntries = 10_000   // zip central directory entries looked at
	maxOLEScan        = 16 << 20 // bytes of an OLE document searched for a VBA project
)

// RiskyAttachment tells whether an attachment should be flagged to agents
// before they open it, and why. exts is the list of risky extensions
// (lower case, with or without the dot); nil means DefaultRiskyExtensions.
// An attachment is risky when:
//   - its name has bidi controls that reorder it (RiskHiddenName: «invoice‮fdp.exe» shows as «invoiceexe.pdf»);
//   - its extension (the last one, trailing dots and blanks ignored) is in exts;
//   - its content type is that of a program or a macro-enabled document;
//   - its content is a Windows (MZ) or ELF program, whatever its name;
//   - it is an OLE document (.doc, .xls) holding a VBA project, or an Office
//     Open XML package holding vbaProject.bin (RiskMacro);
//   - it is a zip archive whose central directory names a risky file
//     (RiskArchive; the first maxArchiveEntries entries; nested archives,
//     rar and 7z are not looked into).
//
// why is "<kind>: <detail>", kind one of the Risk constants, the detail in
// English (an extension, a content type or a name in the archive); "" when
// not risky. data may be nil (a dropped attachment): then only the name and
// the content type are checked. It never panics and its work is bounded by
// len(data).
func RiskyAttachment(name, contentType string, data []byte, exts []string) (risky bool, why string) {
	defer func() {
		if recover() != nil { // a bug here must not stop intake
			risky, why = false, ""
		}
	}()
	clean, bidi := cleanName(name)
	if why := riskyName(clean, exts); why != "" {
		return true, why
	}
	if bidi {
		return true, RiskHiddenName + ": bidi control characters in the name"
	}
	switch ct := strings.ToLower(strings.TrimSpace(contentType)); {
	case ct == "application/x-msdownload", ct == "application/x-msdos-program", ct == "application/x-dosexec",
		ct == "application/x-executable", ct == "application/vnd.microsoft.portable-executable",
		ct == "application/x-ms-shortcut", ct == "application/hta", ct == "application/x-msi",
		ct == "application/x-ms-installer", ct == "application/x-ms-dos-executable":
		return true, RiskExecutable + ": content type " + ct
	case strings.Contains(ct, "macroenabled"):
		return true, RiskMacro + ": content type " + ct
	}
	switch {
	case bytes.HasPrefix(data, []byte("MZ")):
		return true, RiskExecutable + ": content is a Windows program"
	case bytes.HasPrefix(data, []byte("\x7fELF")):
		return true, RiskExecutable + ": content is an ELF program"
	case bytes.HasPrefix(data, []byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")):
		if hasVBAProject(data) {
			return true, RiskMacro + ": VBA project inside the document"
		}
	case bytes.HasPrefix(data, []byte("PK\x03\x04")), bytes.HasPrefix(data, []byte("PK\x05\x06")),
		fileExt(clean) == "zip", strings.Contains(strings.ToLower(contentType), "zip"):
		return riskyZip(data, exts)
	}
	return false, ""
}

// riskyName checks the extension of a clean name; "" when not risky.
func riskyName(name string, exts []string) string {
	ext := fileExt(name)
	if ext == "" {
		return ""
	}
	found := false
	if exts == nil {
		for e := range strings.FieldsSeq(defaultRiskyExtensions) {
			found = found || e == ext
		}
	}
	for _, e := range exts {
		found = found || strings.EqualFold(strings.TrimPrefix(strings.TrimSpace(e), "."), ext)
	}
	switch {
	case !found:
		return ""
	case macroExtension(ext):
		return RiskMacro + ": ." + ext
	}
	return RiskExecutable + ": ." + ext
}

// fileExt is the lower-case last extension of name without the dot;
// Windows ignores trailing dots and blanks, and so does this.
func fileExt(name string) string {
	name = strings.TrimRight(name, ". \t")
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	ext := path.Ext(name)
	if len(ext) < 2 || len(ext) > 16 {
		return ""
	}
	return strings.ToLower(ext[1:])
}

// hasVBAProject: the directory of an OLE compound file names the
// _VBA_PROJECT stream (in UTF-16LE), which Word and Excel write for
// documents with macros.
func hasVBAProject(data []byte) bool {
	if len(data) > maxOLEScan {
		data = data[:maxOLEScan]
	}
	var pat []byte
	for _, c := range "_VBA_PROJECT" {
		pat = append(pat, byte(c), 0)
	}
	return bytes.Contains(data, pat)
}

// riskyZip looks at the names in the central directory of a zip archive
// (or an Office Open XML package).
func riskyZip(data []byte, exts []string) (bool, string) {
	why := ""
	zipNames(data, func(name string) bool {
		clean, _ := cleanName(name)
		base := clean
		if i := strings.LastIndexAny(base, `/\`); i >= 0 {
			base = base[i+1:]
		}
		switch {
		case strings.EqualFold(base, "vbaProject.bin"):
			why = RiskMacro + ": VBA project inside the document"
		case riskyName(base, exts) != "":
			why = RiskArchive + ": contains " + truncateUTF8(base, 200)
		default:
			return true
		}
		return false
	})
	return why != "", why
}

// zipNames calls visit with the name of each entry of the central directory
// of a zip archive, in order, until visit returns false, at most
// maxArchiveEntries times. Broken archives yield what can be read. ZIP64
// and data prepended to the archive (self-extractors) are handled.
func zipNames(data []byte, visit func(name string) bool) {
	le := binary.LittleEndian
	// End of central directory record: the last one in the final 64 KiB.
	eocd := -1
	for i := len(data) - 22; i >= 0 && i >= len(data)-22-65535; i-- {
		if data[i] == 'P' && data[i+1] == 'K' && data[i+2] == 5 && data[i+3] == 6 {
			eocd = i
			break
		}
	}
	if eocd < 0 {
		return
	}
	entries := uint64(le.Uint16(data[eocd+10:]))
	size := uint64(le.Uint32(data[eocd+12:]))
	offset := uint64(le.Uint32(data[eocd+16:]))
	end := uint64(eocd)
	if (offset == 0xFFFFFFFF || entries == 0xFFFF || size == 0xFFFFFFFF) && eocd >= 20 &&
		bytes.HasPrefix(data[eocd-20:], []byte("PK\x06\x07")) {
		z := le.Uint64(data[eocd-20+8:])
		if z < uint64(len(data)) && uint64(len(data))-z >= 56 && bytes.HasPrefix(data[z:], []byte("PK\x06\x06")) {
			entries = le.Uint64(data[z+32:])
			size = le.Uint64(data[z+40:])
			offset = le.Uint64(data[z+48:])
			end = z
		}
	}
	// With data prepended, the directory ends where the record starts.
	if size > end {
		return
	}
	if offset > end-size || !bytes.HasPrefix(data[offset:], []byte("PK\x01\x02")) {
		offset = end - size
	}
	pos := offset
	for n := uint64(0); n < entries && n < maxArchiveEntries; n++ {
		if pos+46 > uint64(len(data)) || !bytes.HasPrefix(data[pos:], []byte("PK\x01\x02")) {
			return
		}
		nameLen := uint64(le.Uint16(data[pos+28:]))
		extraLen := uint64(le.Uint16(data[pos+30:]))
		commentLen := uint64(le.Uint16(data[pos+32:]))
		if pos+46+nameLen > uint64(len(data)) {
			return
		}
		if !visit(string(data[pos+46 : pos+46+nameLen])) {
			return
		}
		pos += 46 + nameLen + extraLen + commentLen
	}
}

// cleanName removes from a file name the characters that change how it is
// displayed without being seen: bidi controls (U+202A–U+202E,
// U+2066–U+2069, U+200E, U+200F, U+061C), zero-width characters (U+200B–
// U+200D, U+2060, U+FEFF), every other format (Cf) character and control
// characters. bidi tells whether an embedding, override or isolate (which
// reorder the text) was among them.
func cleanName(s string) (clean string, bidi bool) {
	return stripInvisible(s, true)
}

// stripInvisible removes format characters and, when controls is set,
// control characters.
func stripInvisible(s string, controls bool) (clean string, bidi bool) {
	drop := func(r rune) bool {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return controls
		}
		return r >= 0x80 && (r == '\u061c' || r == '\u200e' || r == '\u200f' || (r >= '\u200b' && r <= '\u200d') ||
			r == '\u2060' || r == '\ufeff' || (r >= '\u202a' && r <= '\u202e') || (r >= '\u2066' && r <= '\u2069') ||
			unicode.Is(unicode.Cf, r))
	}
	dirty := false
	for _, r := range s {
		if drop(r) {
			dirty = true
			if (r >= '\u202a' && r <= '\u202e') || (r >= '\u2066' && r <= '\u2069') {
				bidi = true
			}
		}
	}
	if !dirty {
		return s, false
	}
	return strings.Map(func(r rune) rune {
		if drop(r) {
			return -1
		}
		return r
	}, s), bidi
}
