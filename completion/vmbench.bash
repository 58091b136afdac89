# bash completion for vmbench. The candidates come from 'vmbench complete',
# which reads them from the program's own tables: commands, their options,
# workload, target and report names, plan keys (--set, -T) with their peer
# spellings and values. Anything else (plan files, paths) completes as files.
_vmbench()
{
	local line=${COMP_LINE:0:COMP_POINT}
	local -a words cands
	read -ra words <<<"$line"
	[[ $line == *[[:space:]] ]] && words+=("")
	local cur=${words[${#words[@]} - 1]}
	local IFS=$'\n'
	# shellcheck disable=SC2207 # one candidate a line
	cands=($("${words[0]}" complete -- "${words[@]:1}" 2>/dev/null))
	# readline replaces only what follows the last '=' or ':' of the word
	local pre=${cur%"${cur##*[=:]}"}
	COMPREPLY=("${cands[@]#"$pre"}")
	if [[ ${#COMPREPLY[@]} -eq 1 && ${COMPREPLY[0]} == *= ]]; then
		compopt -o nospace 2>/dev/null
	fi
	return 0
}
complete -o default -o bashdefault -F _vmbench vmbench
