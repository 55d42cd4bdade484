# Sourced by complete.zsh in the interactive zsh it drives.
PS1='' PS2=''
autoload -Uz compinit && compinit -u -D
zstyle ':completion:*' list-grouped false
zstyle ':completion:*' insert-tab false

# Record the matches (and their descriptions) instead of adding them.
compadd() {
  if [[ ${@[1,(i)(-|--)]} == *-(O|A|D)\ * ]]; then
    builtin compadd "$@"
    return
  fi
  local -a __hits __shown
  if (( $@[(I)-d] )); then
    local __name=${@[$@[(i)-d]+1]}
    if [[ $__name == \(* ]]; then eval "__shown=$__name"; else __shown=( "${(@P)__name}" ); fi
  fi
  builtin compadd -A __hits -D __shown "$@"
  local -i i
  for (( i = 1; i <= $#__hits; i++ )); do
    local __description=${${__shown[i]#*  -- }:#$__shown[i]}
    print -r -- "$__hits[i]${__description:+ -- $__description}" >> $out
  done
}
_swnc_test_done() { print -r -- '<<end>>' >> $out }
comppostfuncs=(_swnc_test_done)
