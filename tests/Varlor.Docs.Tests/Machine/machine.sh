#!/usr/bin/env bash
# A throw-away Varlor production host for the docs' commands, run as root inside fresh mount, network, PID and
# UTS namespaces (DocsMachine starts it with unshare). Every folder an operator writes to (/etc, /var, /usr/local,
# /root, /home, /opt, /srv and the checkout) is an overlay whose upper layer is discarded afterwards, the network
# is a private loopback (PostgreSQL on its default port 5432, varlor-server on 5080, as on a real host), and when
# the namespace's first process exits every process started here ends with it.
#   machine.sh CHECKOUT WORK PROFILE   (WORK/steps/NNN.bash|NNN.cron in; WORK/results/NNN.rc and NNN.out out;
#   PROFILE is "bare", "database" or "production", see given.sh)
set -euo pipefail
checkout=$1 work=$2 profile=$3
here=$(cd "$(dirname "$0")" && pwd)
mount --make-rprivate /
layer() {
  local name; name=$(tr / _ <<<"$1")
  mkdir -p "$work/layers/$name/up" "$work/layers/$name/work"
  mount -t overlay "overlay$name" -o "lowerdir=$1,upperdir=$work/layers/$name/up,workdir=$work/layers/$name/work" "$1"
}
for dir in /etc /var /usr/local /root /home /opt /srv "$checkout"; do [ -d "$dir" ] && layer "$dir"; done
mount -t tmpfs -o mode=755 tmpfs /run
mkdir -p /run/lock
hostname varlor-prod
echo '127.0.1.1 varlor-prod' >>/etc/hosts
ip link set lo up
export VARLOR_DOCS_HOST=1 HOME=/root LANG=C.UTF-8 PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
cd /root
mkdir -p "$work/results"
given=$work/results/given.out
# The host as the guide finds it ("given", not part of any doc): Debian's PostgreSQL 15 cluster running, the
# service's role and database, varlor-server running as its own user with a few tenants' uploads.
source "$here/given.sh" >"$given" 2>&1 || { echo "the given host could not be set up:"; cat "$given"; exit 1; }

# Each bash block runs in a fresh shell that starts from the variables and folder the previous blocks left, as
# when an operator pastes the blocks of one page into one terminal; it must end with exit code 0.
# Each cron line runs as cron runs it: /bin/sh, cron's environment (PATH=/usr/bin:/bin and the crontab's NAME=value
# lines), % ends the command.
state=$work/state.sh cwdfile=$work/cwd
: >"$state"; echo "$checkout" >"$cwdfile"
cronenv=$work/cron.env; : >"$cronenv"
for step in "$work"/steps/*; do
  base=${step##*/} n=${base%%.*} kind=${base##*.}
  out=$work/results/$n.out
  case $kind in
    bash)
      # The state is every variable the blocks set (exported or not) and the folder they ended in.
      timeout 900 bash -c '
        __base=$(compgen -v | sort)
        . "$1"; cd "$(cat "$2")"
        set -eo pipefail
        . "$3"
        set +e
        { export -p | grep -Ev "^declare -x (OLDPWD|PWD|SHLVL|_)="
          for __v in $(comm -13 <(echo "$__base") <(compgen -v | sort)); do
            case $__v in __*|BASH_*|FUNCNAME|PIPESTATUS|COMP_*) continue ;; esac
            declare -p "$__v"
          done; } >"$1.new"
        pwd >"$2.new"' \
        _ "$state" "$cwdfile" "$step" </dev/null >"$out" 2>&1 && rc=0 || rc=$?
      if [ "$rc" -eq 0 ]; then mv "$state.new" "$state"; mv "$cwdfile.new" "$cwdfile"; fi ;;
    cron)
      rc=0; : >"$out"
      while IFS= read -r line; do
        case $line in ''|'#'*) continue ;; esac
        # NAME=value lines set the environment of the lines after them, in this block and the page's later ones
        # (one crontab shown in parts).
        if [[ $line =~ ^[A-Za-z_][A-Za-z0-9_]*= ]]; then echo "$line" >>"$cronenv"; continue; fi
        # crontab(5): five time fields (or @daily-like), then the command; an unescaped % ends it.
        if [[ $line == @* ]]; then cmd=${line#* }; else cmd=$(sed -E 's/^[^ ]+ +[^ ]+ +[^ ]+ +[^ ]+ +[^ ]+ +//' <<<"$line"); fi
        cmd=$(sed -E 's/([^\\])%.*/\1/; s/\\%/%/g' <<<"$cmd")
        echo "\$ $cmd" >>"$out"
        mapfile -t extra <"$cronenv"
        (cd /root && timeout 900 env -i HOME=/root LOGNAME=root USER=root SHELL=/bin/sh PATH=/usr/bin:/bin "${extra[@]}" /bin/sh -c "$cmd") </dev/null >>"$out" 2>&1 \
          || { r=$?; echo "exit code $r" >>"$out"; rc=$r; }
      done <"$step" ;;
    *) echo "unknown step kind $kind" >"$out"; rc=2 ;;
  esac
  echo "$rc" >"$work/results/$n.rc"
done
