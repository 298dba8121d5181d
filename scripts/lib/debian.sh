# Sourced by scripts/setup.sh and scripts/slurm/cluster.sh (bash).
#
#   install_missing_debs WHO PACKAGE...
#
# Installs the Debian packages named that are not installed yet, and only those: when all are
# there it only checks (no apt-get update, no network). Runs apt-get through sudo unless root.
# Says what it installs on stderr, as "WHO: installing ...".
install_missing_debs() {
  local who=$1 p
  shift
  local missing=() sudo_cmd=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  ((${#missing[@]})) || return 0
  echo "$who: installing ${missing[*]}" >&2
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}
