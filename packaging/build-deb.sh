#!/usr/bin/env bash
# build-deb.sh BINARY VERSION OUTDIR — builds OUTDIR/otvet_<debversion>_amd64.deb from a built
# binary (make deb builds it stamped with VERSION) with dpkg-deb, from a tree staged here:
#
#   /usr/bin/otvet                           the binary
#   /lib/systemd/system/otvet.service        the hardened unit (never enabled by the package)
#   /etc/otvet/config.yaml                   conffile: config.example.yaml with the packaged paths
#   /usr/share/doc/otvet/                    README.md, operations.md, CHANGELOG.md, LICENSE,
#                                            copyright, changelog.gz, otvet-help.txt (`otvet help`)
#   /usr/share/lintian/overrides/otvet       the lintian warnings accepted, each with its reason
#   DEBIAN/{control,conffiles,postinst,prerm,postrm}
#
# Prints the path of the package. The Debian version is VERSION without a leading v, its first
# "-" a "+" and the others "." (v1.2.0-3-gabc → 1.2.0+3.gabc); one that does not start with a
# digit (a bare commit hash) becomes 0~git<hash>.
set -euo pipefail

[[ $# -eq 3 ]] || { echo "usage: $0 BINARY VERSION OUTDIR" >&2; exit 2; }
bin=$1 version=$2 out=$3
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(dirname "$here")

debver=$(sed -E 's/^v//; s/-/+/; s/-/./g; s/[^A-Za-z0-9.+~]/./g' <<<"$version")
[[ $debver =~ ^[0-9] ]] || debver="0~git$debver"
maintainer=${DEB_MAINTAINER:-Otvet developers <otvet@example.org>}

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
root=$stage/otvet

install -d -m 0755 "$root/DEBIAN" "$root/usr/bin" "$root/lib/systemd/system" "$root/etc/otvet" \
	"$root/usr/share/doc/otvet" "$root/usr/share/lintian/overrides" "$root/usr/share/man/man1" "$root/var/lib/otvet"
install -m 0755 "$bin" "$root/usr/bin/otvet"
install -m 0644 "$here/otvet.service" "$root/lib/systemd/system/otvet.service"
sed -E 's|^(  path: )otvet\.db|\1/var/lib/otvet/otvet.db|' "$top/config.example.yaml" >"$root/etc/otvet/config.yaml"
grep -q '^  path: /var/lib/otvet/otvet.db' "$root/etc/otvet/config.yaml" ||
	{ echo "build-deb: config.example.yaml has no 'path: otvet.db' to point at /var/lib/otvet" >&2; exit 1; }
chmod 0644 "$root/etc/otvet/config.yaml"
echo /etc/otvet/config.yaml >"$root/DEBIAN/conffiles"

doc=$root/usr/share/doc/otvet
install -m 0644 "$top/README.md" "$top/CHANGELOG.md" "$top/LICENSE" "$top/docs/operations.md" "$doc/"
"$bin" help >"$doc/otvet-help.txt"
chmod 0644 "$doc/otvet-help.txt"
cat >"$doc/copyright" <<'COPYRIGHT'
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: otvet

Files: *
Copyright: 2025-2026 Otvet developers
License: Apache-2.0
 On Debian systems the full text of the Apache License, Version 2.0, is in
 /usr/share/common-licenses/Apache-2.0 (and in LICENSE beside this file).
COPYRIGHT
date_r=$(date -uR -d "@${SOURCE_DATE_EPOCH:-$(date +%s)}")
printf 'otvet (%s) unstable; urgency=medium\n\n  * Release %s; the changes are in /usr/share/doc/otvet/CHANGELOG.md.\n\n -- %s  %s\n' \
	"$debver" "$version" "$maintainer" "$date_r" | gzip -9n >"$doc/changelog.gz"
# A man page: `otvet help` as it prints itself.
{
	printf '.TH OTVET 1 "%s" "otvet %s" "User Commands"\n' "$(date -u -d "@${SOURCE_DATE_EPOCH:-$(date +%s)}" +%Y-%m-%d)" "$version"
	printf '.SH NAME\notvet \\- an email-driven helpdesk\n.SH SYNOPSIS\n.B otvet\n.I command\n[\\fIflags\\fR]\n'
	printf '.SH DESCRIPTION\nThe commands, as \\fBotvet help\\fR lists them; \\fBotvet help\\fR \\fIcommand\\fR tells more.\n.PP\n.nf\n'
	sed -e 's/\\/\\e/g' -e 's/^[.'"'"']/\\\&&/' "$doc/otvet-help.txt"
	printf '.fi\n.SH FILES\n/etc/otvet/config.yaml, /var/lib/otvet/otvet.db\n'
	printf '.SH SEE ALSO\n/usr/share/doc/otvet/README.md, /usr/share/doc/otvet/operations.md\n'
} | gzip -9n >"$root/usr/share/man/man1/otvet.1.gz"
install -m 0644 "$here/lintian-overrides" "$root/usr/share/lintian/overrides/otvet"
install -m 0755 "$here/postinst" "$here/prerm" "$here/postrm" "$root/DEBIAN/"

size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
cat >"$root/DEBIAN/control" <<CONTROL
Package: otvet
Version: $debver
Architecture: amd64
Maintainer: $maintainer
Installed-Size: $size
Depends: adduser
Section: mail
Priority: optional
Description: email-driven helpdesk
 Otvet reads a support mailbox over IMAP, opens and threads tickets by the
 support regulations, answers by SMTP, lets staff work by replying from
 their own mailbox and mails SLA digests to managers. SQLite or PostgreSQL.
 .
 The package installs a systemd unit it does not enable: fill
 /etc/otvet/config.yaml, run otvet migrate, then systemctl enable --now otvet.
CONTROL

(cd "$root" && find . -path ./DEBIAN -prune -o -type f ! -path ./etc/\* -printf '%P\0' | sort -z | xargs -0 md5sum) >"$root/DEBIAN/md5sums"

mkdir -p "$out"
deb="$out/otvet_${debver}_amd64.deb"
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null
echo "$deb"
