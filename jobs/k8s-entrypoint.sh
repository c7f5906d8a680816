#!/bin/sh
# The command of each pod of jobs/k8s-indexed-job.yaml: runs shard K/N of one export (K = JOB_COMPLETION_INDEX + 1)
# and turns customer-sync's exit code into what a Kubernetes Job should count:
#   0  every row fine                          -> 0
#   1  finished, some rows need attention      -> 0: the shard is done, and a retry would only reject the same rows
#      again. The report (rejects.csv), the metrics and the webhook say which rows. This mapping is for the Job
#      only: run by hand or from cron, customer-sync still exits 1.
#   2  bad file, config or account             -> 2: the Job's podFailurePolicy fails the whole Job at once
#   3  aborted (OMS unreachable, credentials refused, too many failures, SIGTERM)
#                                              -> 3: counted against backoffLimit and retried; the new pod resumes
#      from the shard's checkpoint
# After a finished shard, if every shard's report is there, it merges them into one (customer-sync report --merge):
# the last shard to finish leaves the report of the whole file. Merging the same reports again gives the same files,
# so two shards finishing together do no harm.
set -u
: "${JOB_COMPLETION_INDEX:?is set by Kubernetes in an Indexed Job}"
: "${SHARDS:?must be the number of shards, the Job's completions}"
: "${INPUT:?must name the export to sync}"
CLI=${CUSTOMER_SYNC:-/app/bin/customer-sync}
JOB_CONFIG=${JOB_CONFIG:-/app/jobs/nightly.json}
STATE_DIR=${STATE_DIR:-/var/lib/customer-sync/state}
RUN_DIR=${REPORTS_DIR:-/var/lib/customer-sync/reports}/${JOB_NAME:-customer-sync}
shard=$((JOB_COMPLETION_INDEX + 1))

# As PID 1 this shell gets no default signal handling: it passes SIGTERM on, so the run finishes its requests in
# flight and writes its partial report before the pod goes.
"$CLI" sync "$INPUT" --config "$JOB_CONFIG" --shard "$shard/$SHARDS" \
  --checkpoint "$STATE_DIR/shard-$shard.sqlite" --report-dir "$RUN_DIR/shard-$shard" "$@" &
child=$!
trap 'kill -TERM "$child" 2>/dev/null' TERM INT
code=0
wait "$child" || code=$?
while kill -0 "$child" 2>/dev/null; do
  code=0
  wait "$child" || code=$?
done

if [ "$code" -eq 0 ] || [ "$code" -eq 1 ]; then
  set --
  k=1
  while [ "$k" -le "$SHARDS" ]; do
    [ -f "$RUN_DIR/shard-$k/report.json" ] && set -- "$@" "$RUN_DIR/shard-$k"
    k=$((k + 1))
  done
  if [ "$#" -eq "$SHARDS" ]; then
    "$CLI" report --merge "$@" --report-dir "$RUN_DIR/merged" ||
      echo "k8s-entrypoint: merging the shards' reports exited $? (a shard may still be retrying); merge by hand with: customer-sync report --merge $RUN_DIR/shard-* --report-dir $RUN_DIR/merged" >&2
  fi
fi

if [ "$code" -eq 1 ]; then
  echo "k8s-entrypoint: shard $shard/$SHARDS finished with rows that need attention (exit 1, see $RUN_DIR/shard-$shard/rejects.csv); exiting 0 so the Job counts it done and does not retry it" >&2
  exit 0
fi
exit "$code"
