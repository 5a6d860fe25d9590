# Sourced by scripts/serve and scripts/test: installs the Debian packages in $missing (an array)
# when there are any, as root with apt-get; otherwise says what to install.
install_missing_debian_packages() {
  local purpose="$1"
  [ "${#missing[@]}" -gt 0 ] || return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing ${missing[*]} for $purpose …" >&2
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}") >/dev/null
  else
    echo "$purpose needs: apt-get install ${missing[*]}" >&2
  fi
}
