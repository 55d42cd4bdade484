# Prints what zsh's completion system offers for a command line, one
# "match -- description" a line: an interactive zsh on a pseudo-terminal
# (zpty) gets the line and a TAB, and its compadd writes what it is given.
#
# usage: zsh -f complete.zsh FPATH-DIRECTORY 'command line'
zmodload zsh/zpty || exit 2
local out=${TMPDIR:-/tmp}/swnc-complete.$$
: >| $out
zpty shell 'zsh -f -i'
zpty -w shell "fpath=(${(q)1} \$fpath) out=${(q)out}; source ${(q)0:A:h}/complete-setup.zsh"
zpty -w -n shell "$2"$'\t'
integer tries
until grep -q '^<<end>>$' $out 2>/dev/null; do
  (( ++tries > 400 )) && { print -u2 "zsh gave no completions"; zpty -d shell; exit 3 }
  sleep 0.05
done
zpty -d shell
grep -v '^<<end>>$' $out | sort -u
rm -f $out
