#!/usr/bin/env bash
# Rebuilds the seed corpora in tests/fuzz/corpus/ from the fixtures (tests/fixtures/json,
# tests/fixtures/policy, docs/examples) and a few hand-made inputs, in each target's input
# format (see the comment at the top of tests/fuzz/fuzz_*.c). The seeds are committed; run this
# after a fixture or an input format changes, and commit what changed.
# Usage: tests/fuzz/seeds.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
J=tests/fixtures/json
P=tests/fixtures/policy
C=tests/fuzz/corpus
rm -rf "$C"
mkdir -p "$C"/fuzz_decode "$C"/fuzz_logstream "$C"/fuzz_sanitize "$C"/fuzz_policy \
	"$C"/fuzz_imageref "$C"/fuzz_terms

# seed DIR NAME PREFIX FILE: PREFIX (printf format) then FILE's bytes.
seed() { { printf "$3"; cat "$4"; } > "$1/$2"; }
# put DIR NAME FORMAT ARGS...: printf's output.
put() { local d=$1 n=$2; shift 2; printf "$@" > "$d/$n"; }

# ---- fuzz_decode: a selector byte, then the body ----
D=$C/fuzz_decode
for f in services bad-services-types bad-truncated bad-not-array; do seed $D "a-$f" a $J/$f.json; done
for f in tasks bad-tasks-types; do seed $D "b-$f" b $J/$f.json; done
for f in nodes nodes-labelled bad-nodes-types; do seed $D "c-$f" c $J/$f.json; done
for f in stats-v1 stats-v2 stats-oneshot stats-stopped stats-empty bad-stats-types; do
	seed $D "d-$f" d $J/$f.json
done
seed $D e-events e $J/events.jsonl
seed $D e-bad-event-types e $J/bad-event-types.json
for f in info bad-info-types; do seed $D "f-$f" f $J/$f.json; done
for f in container-oom bad-container-types; do seed $D "g-$f" g $J/$f.json; done
# Configs as store.c and audit.c list them: labels and base64 data.
put $D h-configs 'h[{"ID":"9x2","CreatedAt":"2026-11-22T08:11:44.123456789Z","Spec":{"Name":"glovebox-policy-1","Labels":{"glovebox.policy":"1"},"Data":"eyJjbGFzc2VzIjp7fX0="}},{"ID":"y","Spec":{"Name":"c","Data":"%%%%"}}]'
put $D i-digest 'i{"Descriptor":{"mediaType":"application/vnd.oci.image.index.v1+json","digest":"sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef","size":1609},"Platforms":[{"architecture":"amd64","os":"linux"}]}'
put $D j-created-service 'j{"ID":"ak7w3gjqoa3kuz8xcpnyy0pvl","Warnings":["image gbdev/busybox:latest could not be accessed on a registry","x"]}'
put $D j-created-network 'j{"Id":"22be93d5babb089c5aab8dbc369042fad48ff791584ca2da2100db837a1c7c30","Warning":"w"}'
seed $D k-error-404 k $J/error-404.json
put $D l-time 'l2026-11-22T08:11:44.123456789Z'
put $D l-time-offset 'l2026-02-28T23:59:59.5+01:00'
put $D l-time-zero 'l0001-01-01T00:00:00Z'

# ---- fuzz_logstream: options byte (bit 0 multiplexed, bit 1 timestamps, bits 2-3 line
# limit), a seed for the pieces, then the stream ----
L=$C/fuzz_logstream
ts='2026-11-22T08:11:44.123456789Z'
# frame TYPE TEXT: a multiplexed frame (8-byte header, big-endian length).
frame() {
	local n
	n=$(printf '%s' "$2" | wc -c)
	printf "\\x$1\\0\\0\\0$(printf '\\x%02x' $((n >> 24 & 255)) $((n >> 16 & 255)) $((n >> 8 & 255)) $((n & 255)))"
	printf '%s' "$2"
}
{ printf '\x01\x07'; frame 01 $'hello\nworld\n'; frame 02 $'oops\r\n'; frame 01 'no newline'; } > $L/mux
{ printf '\x03\x03'; frame 01 "$ts one"$'\n'; frame 02 "$ts two"$'\n'; frame 01 "$ts part"; frame 01 "$ts of it"$'\n'; } > $L/mux-ts
{ printf '\x01\x00'; frame 01 $'start\n'; frame 03 'Error grabbing logs: rpc error: code = Unknown'; } > $L/mux-engine-error
{ printf '\x05\x0b'; frame 01 "$(printf 'a%.0s' {1..40})"$'\n'; frame 01 $'caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac\xe6\x97\xa5\xe6\x9c\xac x\n'; } > $L/mux-cut
{ printf '\x01\x02'; frame 01 $'ok\n'; printf '\x01\x00\x00\x00\x7f\xff\xff\xff'; } > $L/mux-corrupt
{ printf '\x00\x05'; printf 'raw line\r\n\x1b[31mred\x1b[0m\r\nlast'; } > $L/raw
{ printf '\x02\x09'; printf '%s tty one\r\n%s tty two\r\nnot a time\r\n' "$ts" "$ts"; } > $L/raw-ts
{ printf '\x0a\x0d'; printf '%s %s\r\n' "$ts" "$(printf 'b%.0s' {1..120})"; } > $L/raw-ts-cut

# ---- fuzz_sanitize: flags byte (1 keep tab, 2 keep newline, 4 ascii, 8 strip escapes),
# a column budget, then the text ----
S=$C/fuzz_sanitize
put $S owner-label '\x00\x14Zo\xc3\xab \xe6\x97\xa5\xe6\x9c\xac\x07bell'
put $S escapes '\x08\x28\x1b[1;31mred\x1b[0m \x1b]0;title\x07 \x1bP+q\x1b\\ \x1b(B \x1b[?1049h tail\x1b'
put $S escapes-kept '\x00\x28\x1b[1;31mred\x1b[0m \x1b]2;x\x1b\\'
put $S c1 '\x00\x10\xc2\x9b31m \xc2\x85 \x9b \xc2\xa0ok'
put $S bidi '\x00\x20user\xe2\x80\xaegpj.exe \xe2\x81\xa6x\xe2\x81\xa9 \xe2\x80\x8f\xe2\x80\x8e \xd8\x9c \xe2\x80\x8b\xef\xbb\xbf'
put $S invalid-utf8 '\x00\x10\xc0\xaf \xed\xa0\x80 \xf4\x90\x80\x80 \xe2\x82 \xff\xfe \xf0\x9f\x98'
put $S combining '\x00\x06\xcc\x81a\xcc\x81 \xef\xbf\xbd\xcc\x81 \x09\xcc\x81 \xe1\x85\xa0'
put $S wide '\x00\x05\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e \xf0\x9f\x91\x8d\xf0\x9f\x8f\xbd \xe2\x9d\xa4\xef\xb8\x8f'
put $S controls '\x03\x08a\tb\nc\rd\x7f\x00e\x01'
put $S ascii '\x04\x08na\xc3\xafve \xe2\x80\xae \x09\x0a'
{ printf '\x02\x50'; cat tests/fixtures/policy/terms.md; } > $S/terms

# ---- fuzz_policy: the policy file ----
for f in $P/*.json; do cp "$f" "$C/fuzz_policy/$(basename "$f" .json)"; done
cp docs/examples/policy.json $C/fuzz_policy/example

# ---- fuzz_imageref: one reference ----
I=$C/fuzz_imageref
n=0
while IFS= read -r ref; do
	n=$((n + 1))
	printf '%s' "$ref" > "$I/ref-$n"
done <<'EOF'
busybox
gbdev/busybox:latest
127.0.0.1:5000/lab/analysis:1.3
localhost/x@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
[::1]:5000/foo:tag
Reg.Example.ORG/x:Latest.RC-1_b
index.docker.io/library/busybox:1.36@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
a_-b/c__d.e--f:_x
busybox@sha512:00
EOF
# The images the real services ran.
jq -r '.[].Spec.TaskTemplate.ContainerSpec.Image' $J/services.json | sort -u | while IFS= read -r ref; do
	n=$((n + 1))
	printf '%s' "$ref" > "$I/service-$(printf '%s' "$ref" | sha1sum | cut -c1-8)"
done

# ---- fuzz_terms: context byte, old text, NUL, new text ----
T=$C/fuzz_terms
{ printf '\x03'; cat docs/examples/terms.md; printf '\0'; sed -e 's/data/DATA/;3d;$a\
a new last line' docs/examples/terms.md; } > $T/example-edited
{ printf '\x01'; cat $P/terms.md; printf '\0'; sed 's/$/\r/' $P/terms.md; } > $T/crlf
{ printf '\x09'; printf 'a\nb\nc\nd\ne\nf\ng\nh\n'; printf '\0'; printf 'a\nB\nc\nd\ne\nf\nG\nh\ni'; } > $T/two-hunks
{ printf '\x00'; cat $P/terms.md; printf '\0'; } > $T/emptied
# Beyond the diff's budget: more than 5,000 lines, and a table of more than 4 M cells.
{ printf '\x02'; printf '%5001s' '' | tr ' ' '\n'; printf '\0x'; } > $T/too-many-lines
{ printf '\x02'; printf 'a\n%.0s' {1..2100}; printf '\0'; printf 'b\n%.0s' {1..2100}; } > $T/too-many-cells

echo "seeds: $(find "$C" -type f | wc -l) files, $(cat "$C"/*/* | wc -c) bytes in $C"
