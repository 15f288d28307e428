#!/bin/bash
# Hostile and mistaken command lines against the built binary: each must exit 1 with a one-line
# reason and leave no file behind; --help and -p must work; the original's flag spellings
# (grouped -dvv, -sFILE) must parse.
source "$(dirname "$0")/../lib.sh"
source "$SANHA_SRC/tests/data/ddless/lib.bash"
cd "$T_TMP" || exit 1

random_file src 2
ln -s src src-link
mkdir adir
: >empty
BEFORE=$(ls -A)

# refuse DESCRIPTION PATTERN ARGS...: ddless must exit 1, say PATTERN, create nothing.
refuse() {
  local what=$1 pattern=$2 err rc
  shift 2
  err=$("$DDLESS" "$@" 2>&1 >/dev/null)
  rc=$?
  check "$what: exit 1" 1 "$rc"
  check_match "$what: reason" "$pattern" "$err"
  check "$what: one line" 1 "$(printf '%s\n' "$err" | wc -l)"
  check "$what: no file created" "$BEFORE" "$(ls -A)"
}

refuse "no arguments" "nothing to do" 
refuse "unknown option" "unrecognised option '--frobnicate'" -s src --frobnicate
refuse "abbreviated long option" "unrecognised option '--ver'" -c ck -t dst --ver
refuse "stray argument" "unexpected argument 'extra'" -s src -c ck -t dst extra
refuse "option without its value" "required argument for option '--target'" -s src -c ck -t
refuse "option given twice" "cannot be specified more than once" -s src -s src
refuse "-t without -c" "-t needs -c CHECKSUM" -s src -t dst
refuse "-i without -m" "give -m GB" -s src -c ck -t dst -i true
refuse "-m in checksum-only mode" "-m does not apply" -s src -c ck -m 1
refuse "-r in zones mode" "-r does not apply" -s src -r 10
refuse "-p with other options" "-p prints the parameters" -p -s src
refuse "negative rate" "-r '-5'" -s src -c ck -t dst -r -5
refuse "rate with a unit" "-r '10M'" -s src -c ck -t dst -r 10M
refuse "zero limit" "-m '0'" -s src -c ck -t dst -m 0
refuse "exponent limit" "-m '1e3'" -s src -c ck -t dst -m 1e3
refuse "hex readers" "--readers" -s src -c ck -t dst --readers 0x4
refuse "unknown hash" "unknown hash 'md5'" -s src -c ck -t dst --hash md5
refuse "shell operator in -i" "';' is shell syntax" -s src -c ck -t dst -m 1 -i 'true; rm -rf /'
refuse "command substitution in -i" "without a shell" -s src -c ck -t dst -m 1 -i 'echo $(id)'
refuse "unbalanced quote in -i" "unbalanced single quote" -s src -c ck -t dst -m 1 -i "echo 'x"
refuse "newline in a path" "control characters" -s src -c ck -t $'dst\nrm -rf /'
refuse "empty path" "-t needs a path" -s src -c ck -t ''
refuse "source as target" "same path" -s src -c ck -t ./src
refuse "source as target through a symlink" "are the same device or file" -s src -c ck -t src-link
refuse "checksum file = source" "file of its own" -s src -c src -t dst
refuse "missing source" "open missing: No such file" -s missing -c ck -t dst
refuse "directory as source" "neither a regular file nor a block device" -s adir -c ck -t dst
refuse "character device as source" "neither a regular file nor a block device" -s /dev/zero
refuse "directory as target" "adir" -s src -c ck -t adir
refuse "empty source" "empty is empty" -s empty -c ck -t dst
refuse "too long a path" "too long" -s src -c ck -t "$(printf 'x%.0s' {1..1100})"
refuse "checksum file in a missing directory" "nosuchdir" -s src -c nosuchdir/ck -t dst
refuse "--verify without a checksum file" "open ck: No such file" -c ck -t src --verify

# The original's spellings parse.
OUT=$("$DDLESS" -dvv -ssrc -c ck -t dst 2>&1)
check "grouped -dvv and -sFILE: exit 0" 0 $?
check_match "-vv turns on debug messages" "debug: wrote" "$OUT"
check "the copy happened" "" "$(cmp src dst 2>&1)"
"$DDLESS" -v -v -s src -c ck -t dst 2>/dev/null
check "-v -v also works" 0 $?
HELP=$("$DDLESS" --help)
check "--help exits 0" 0 $?
check_match "--help shows the copy usage" "ddless \[-d\] -s SRC \[-r MB/s\] -c CHECKSUM \[-b\] -t TARGET \[-m GB -i CMD\] \[-v\|-vv\]" "$HELP"
check_match "--help has examples" "Examples:" "$HELP"
check_match "--help explains -i runs without a shell" "WITHOUT a shell" "$HELP"
check_match "--help lists exit codes" "3  a new checksum file is required" "$HELP"
check "-h is --help" "$HELP" "$("$DDLESS" -h)"
check_match "-p prints parameters" "read_size: 1048576" "$("$DDLESS" -p)"
finish
