#!/usr/bin/env bash
# cron-loop: runs a command on a 5-field cron schedule (UTC), one run at a time.
# Docker has no CronJob; the docker platform runs scheduled jobs as a long-lived container whose
# entrypoint is this script. Usage: cron-loop "<min> <hour> <dom> <month> <dow>" -- command [args...]
# A sidecar with several schedules (both platforms) runs `cron-loop --table -- command [args...]`:
# CRON_TABLE holds one "<5 cron fields> [extra args...]" line per schedule, and each minute the first
# matching line runs the command with its extra args (a weekly full backup wins over the daily
# differential and the hourly incremental due in the same minute; one run at a time, as below).
# Supports *, numbers, ranges a-b, lists a,b and steps */n or a-b/n, as cron(8) does; day-of-month and
# day-of-week match either when both are restricted. A run that overlaps the next match skips it
# (as Kubernetes' concurrencyPolicy Forbid). It touches a heartbeat file the container health check reads.
#
# Why a script and not a packaged cron (checked on Debian bookworm and npm, issue 8): the loop runs
# inside whatever image a schedule uses (stock postgres, the backup image), as a non-root uid on a
# read-only root, and must hand the job the container's environment (the secrets arrive as env vars)
# and its stdout/stderr.
#   - supercronic (the container cron) has no Debian package and no npm package; its release is a
#     downloaded binary, which neither the images nor CI may fetch.
#   - Debian cron and busybox crond are root daemons with setuid/setgid crontabs that start jobs with
#     a minimal environment (PATH, HOME, SHELL, LOGNAME only) and mail or syslog their output; neither
#     skips a run that overlaps the next one, and neither is in the stock images.
#   - systemd-cron needs systemd as PID 1; bcron needs root daemons; mcron needs Guile.
#   - snooze (Debian 0.5) waits for one time then execs: non-root, keeps the environment; but it ANDs
#     day-of-month with day-of-week (cron ORs them when both are restricted), reads "2/5" as
#     "7, 12, ..." rather than cron's "2, 7, ...", and would still need this loop for the heartbeat
#     and the overlap rule, plus an install in every image.
#   - npm's croner / node-cron need Node.js in the job image, which none of these images has.
# So it stays: bash and coreutils only, exercised by tests/unit/cron-loop.test.ts and the policy
# pack's cron checks (policy/cron.ts, croner) that run the same expressions at plan time.
set -uf  # -f: cron fields contain "*", never glob them

heartbeat="${CRON_HEARTBEAT:-/tmp/proteamcare-cron.heartbeat}"

log() { printf '%s cron-loop: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >&2; }

# field_matches VALUE FIELD MIN MAX -> 0 when VALUE is selected by FIELD.
field_matches() {
    local value=$1 field=$2 min=$3 max=$4 part range step lo hi
    local IFS=,
    for part in $field; do
        step=1
        range=$part
        if [[ $part == */* ]]; then
            range=${part%/*}
            step=${part#*/}
        fi
        if [[ $range == "*" ]]; then
            lo=$min
            hi=$max
        elif [[ $range == *-* ]]; then
            lo=${range%-*}
            hi=${range#*-}
        else
            lo=$range
            hi=$range
            [[ $part == */* ]] && hi=$max
        fi
        if ((10#$value >= 10#$lo && 10#$value <= 10#$hi && (10#$value - 10#$lo) % 10#$step == 0)); then
            return 0
        fi
    done
    return 1
}

# valid_field FIELD MIN MAX -> 0 when FIELD is well formed and in range.
valid_field() {
    local field=$1 min=$2 max=$3 part range step lo hi
    local IFS=,
    [[ -n $field ]] || return 1
    for part in $field; do
        [[ $part =~ ^(\*|[0-9]+(-[0-9]+)?)(/[0-9]+)?$ ]] || return 1
        range=${part%/*}
        if [[ $part == */* ]]; then
            step=${part#*/}
            ((10#$step >= 1)) || return 1
        fi
        [[ $range == "*" ]] && continue
        lo=${range%-*}
        hi=${range#*-}
        ((10#$lo >= min && 10#$hi <= max && 10#$lo <= 10#$hi)) || return 1
    done
    return 0
}

# cron_matches "M H DOM MON DOW" minute hour dom month dow
cron_matches() {
    local expr=$1 mi=$2 ho=$3 dom=$4 mon=$5 dow=$6
    local f_mi f_ho f_dom f_mon f_dow
    read -r f_mi f_ho f_dom f_mon f_dow <<<"$expr"
    field_matches "$mi" "$f_mi" 0 59 || return 1
    field_matches "$ho" "$f_ho" 0 23 || return 1
    field_matches "$mon" "$f_mon" 1 12 || return 1
    # Sunday is 0 or 7.
    local dow_ok=1 dom_ok=1
    if field_matches "$dow" "$f_dow" 0 7 || { [[ $dow == 0 ]] && field_matches 7 "$f_dow" 0 7; }; then dow_ok=0; fi
    field_matches "$dom" "$f_dom" 1 31 && dom_ok=0
    if [[ $f_dom != "*" && $f_dow != "*" ]]; then
        ((dom_ok == 0 || dow_ok == 0))
    else
        ((dom_ok == 0 && dow_ok == 0))
    fi
}

# load_table: fills exprs and extras from CRON_TABLE ("<5 cron fields> [extra args...]" per line).
exprs=()
extras=()
load_table() {
    local line f1 f2 f3 f4 f5 rest
    while IFS= read -r line; do
        [[ -n ${line//[[:space:]]/} ]] || continue
        read -r f1 f2 f3 f4 f5 rest <<<"$line"
        exprs+=("$f1 $f2 $f3 $f4 $f5")
        extras+=("${rest:-}")
    done <<<"${CRON_TABLE:-}"
    if [[ ${#exprs[@]} -eq 0 ]]; then
        echo "cron-loop: --table needs CRON_TABLE with one \"<5 cron fields> [args...]\" line per schedule" >&2
        exit 2
    fi
}

validate() {
    local expr=$1 f_mi f_ho f_dom f_mon f_dow extra
    read -r f_mi f_ho f_dom f_mon f_dow extra <<<"$expr"
    [[ -z ${extra:-} && -n ${f_dow:-} ]] || return 1
    valid_field "$f_mi" 0 59 && valid_field "$f_ho" 0 23 && valid_field "$f_dom" 1 31 &&
        valid_field "$f_mon" 1 12 && valid_field "$f_dow" 0 7
}

# run_job EXTRA command [args...]: runs the command with EXTRA's words appended (split on blanks;
# set -f: never globbed), keeping the heartbeat fresh; returns the command's status.
run_job() {
    local extra_text=$1 pid status=0
    shift
    local -a extra
    read -r -a extra <<<"$extra_text"
    log "run started${extra_text:+ ($extra_text)}"
    "$@" "${extra[@]}" &
    pid=$!
    while kill -0 "$pid" 2>/dev/null; do
        touch "$heartbeat"
        sleep 5
    done
    wait "$pid" || status=$?
    if [[ $status == 0 ]]; then log "run succeeded"; else log "run failed with status $status"; fi
    return "$status"
}

main() {
    if [[ ${1:-} == "--matches" ]]; then
        # Test hook: cron-loop --matches "<expr>" "YYYY-mm-dd HH:MM" -> exit 0 when the minute matches.
        local t
        t=$(date -u -d "$3" +'%M %H %d %m %w') || exit 2
        # shellcheck disable=SC2086
        cron_matches "$2" $t
        exit $?
    fi
    if [[ ${1:-} == "--table-match" ]]; then
        # Test hook: cron-loop --table-match "YYYY-mm-dd HH:MM" -> prints the extra args of the first
        # CRON_TABLE line that runs that minute (exit 0), or exits 1 when none does.
        local t i
        t=$(date -u -d "$2" +'%M %H %d %m %w') || exit 2
        load_table
        for i in "${!exprs[@]}"; do
            # shellcheck disable=SC2086
            if cron_matches "${exprs[$i]}" $t; then
                printf '%s\n' "${extras[$i]}"
                exit 0
            fi
        done
        exit 1
    fi
    if [[ $# -lt 3 || $2 != "--" ]]; then
        echo "usage: cron-loop \"<cron expression>\" -- command [args...]  or  cron-loop --table -- command [args...]" >&2
        exit 2
    fi
    if [[ $1 == "--table" ]]; then
        load_table
    else
        exprs=("$1")
        extras=("")
    fi
    shift 2
    local i expr
    for i in "${!exprs[@]}"; do
        expr=${exprs[$i]}
        if ! validate "$expr"; then
            echo "cron-loop: invalid cron expression \"$expr\" (want 5 fields: minute hour day-of-month month day-of-week)" >&2
            exit 2
        fi
        log "schedule \"$expr\" UTC: $* ${extras[$i]}"
    done
    # CRON_AT_START: extra args of one run right at start, retried every CRON_AT_START_RETRY_SECONDS
    # (30) until it succeeds (at most 20 tries), before the schedule: for a sidecar that must prepare something the first
    # scheduled run would come too late for (the pgBackRest stanza, without which PostgreSQL cannot
    # archive a single WAL segment).
    if [[ -n ${CRON_AT_START:-} ]]; then
        local try
        for try in $(seq 1 20); do
            run_job "$CRON_AT_START" "$@" && break
            log "start run failed (try $try of 20); retrying in ${CRON_AT_START_RETRY_SECONDS:-30} s"
            sleep "${CRON_AT_START_RETRY_SECONDS:-30}"
        done
    fi
    local last="" now
    while true; do
        touch "$heartbeat"
        now=$(date -u +'%Y%m%d%H%M')
        if [[ $now != "$last" ]]; then
            last=$now
            for i in "${!exprs[@]}"; do
                # shellcheck disable=SC2046
                cron_matches "${exprs[$i]}" $(date -u +'%M %H %d %m %w') || continue
                # The first match wins.
                run_job "${extras[$i]}" "$@" || true
                last=$(date -u +'%Y%m%d%H%M')
                break
            done
        fi
        sleep $((60 - 10#$(date -u +%S) + 1))
    done
}

main "$@"
