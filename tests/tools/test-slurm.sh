#!/bin/sh
# unsupervised-batch as a Slurm array job on a one-node Slurm started here
# from Debian's packages (munge, slurmctld, slurmd; scripts/deps.sh slurm),
# on localhost only, with its own ports, key and state in a temporary folder.
#   test-slurm.sh PATH-TO-unsupervised-batch
# An array of 3 tasks runs over 5 generated clips, one of them truncated:
# every good clip must come out, the task that got the truncated one must
# exit 1 and the others 0; resubmitted after the clip is repaired, all
# exit 0 and the done outputs are skipped. Exits 77 (skip) when Slurm is
# not installed or cannot start here (not root, no munge); stops every
# daemon it started.
set -u
tool=$1
skip () { echo "SKIP: $*"; exit 77; }

[ "$(id -u)" -eq 0 ] || skip "needs root to start slurmd"
for p in munged slurmctld slurmd sbatch scontrol gst-launch-1.0; do
  command -v $p >/dev/null 2>&1 || PATH=$PATH:/usr/sbin:/sbin
  command -v $p >/dev/null 2>&1 || skip "$p not installed (scripts/deps.sh slurm)"
done

d=$(mktemp -d /tmp/test-slurm-XXXXXX)
pids=""
cleanup () {
  for p in $pids; do kill "$p" 2>/dev/null; done
  for p in $pids; do
    i=0
    while kill -0 "$p" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
    kill -9 "$p" 2>/dev/null
  done
  rm -rf "$d"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
fail () {
  echo "FAIL: $*"
  for f in "$d"/*.log; do [ -f "$f" ] && { echo "== $f"; tail -20 "$f"; }; done
  exit 1
}

# munge, with a key of its own
dd if=/dev/urandom of="$d/munge.key" bs=1024 count=1 2>/dev/null
chmod 600 "$d/munge.key"
munged -F --force --key-file="$d/munge.key" --socket="$d/munge.sock" \
  --pid-file="$d/munged.pid" --log-file="$d/munged.log" \
  --seed-file="$d/munge.seed" >/dev/null 2>&1 &
pids="$pids $!"

host=$(hostname -s)
# ports of our own, away from a system Slurm's 6817/6818
base=$((20000 + $$ % 20000))
mkdir -p "$d/state" "$d/spool" "$d/in" "$d/out"
cat >"$d/slurm.conf" <<EOF
ClusterName=unsupervised-test
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$base
SlurmdPort=$((base + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$d/munge.sock
StateSaveLocation=$d/state
SlurmdSpoolDir=$d/spool
SlurmctldPidFile=$d/slurmctld.pid
SlurmdPidFile=$d/slurmd.pid
SlurmctldLogFile=$d/slurmctld.log
SlurmdLogFile=$d/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=none
ReturnToService=2
MinJobAge=600
# four slots on a 2-core machine, so that the three tasks start together
# instead of the third waiting for a scheduling pass
SlurmdParameters=config_overrides
NodeName=$host NodeAddr=127.0.0.1 CPUs=4 State=UNKNOWN
PartitionName=test Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF="$d/slurm.conf"

i=0
while [ ! -S "$d/munge.sock" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
[ -S "$d/munge.sock" ] || { tail "$d/munged.log" 2>/dev/null; skip "munged did not start"; }

slurmctld -D -i -f "$d/slurm.conf" >"$d/slurmctld.out.log" 2>&1 &
pids="$pids $!"
slurmd -D -f "$d/slurm.conf" -N "$host" >"$d/slurmd.out.log" 2>&1 &
pids="$pids $!"

# the node must come up idle before anything is submitted
i=0
state=""
while [ $i -lt 100 ]; do
  state=$(sinfo -h -N -o %t 2>/dev/null | head -1)
  case "$state" in idle*) break ;; esac
  sleep 0.2
  i=$((i + 1))
done
case "$state" in
  idle*) ;;
  *) for f in "$d"/slurm*.log; do echo "== $f"; tail -5 "$f"; done
     skip "slurm did not come up (node state '$state')" ;;
esac

# five clips; the fifth cut in half (it lands on task 4 mod 3 = 1)
for n in 0 1 2 3 4; do
  # system plugins only: under ASan the uninstrumented gst-launch-1.0
  # cannot load the build's plugin
  env -u GST_PLUGIN_PATH_1_0 GST_REGISTRY_1_0="$d/registry-launch.bin" \
    gst-launch-1.0 -q videotestsrc num-buffers=12 pattern=$n ! \
    video/x-raw,width=64,height=48,framerate=12/1 ! vp8enc deadline=1 ! queue ! \
    matroskamux name=m ! filesink location="$d/in/clip$n.mkv" \
    audiotestsrc num-buffers=10 samplesperbuffer=1600 ! audio/x-raw,rate=16000 ! \
    vorbisenc ! queue ! m. || fail "cannot make clip $n"
done
cp "$d/in/clip4.mkv" "$d/clip4.good"
head -c $(($(stat -c %s "$d/clip4.good") / 2)) "$d/clip4.good" >"$d/in/clip4.mkv"

cat >"$d/job.sh" <<EOF
#!/bin/sh
export GST_REGISTRY_1_0="$d/registry-\$SLURM_ARRAY_TASK_ID.bin"
exec "$tool" --filter "kmeansseg num-clusters=4" --output "$d/out" \
  --progress=plain "$d/in"
EOF
chmod +x "$d/job.sh"

# submits the array and waits for it to leave the queue (polled here:
# sbatch --wait polls every few seconds, which would triple the test's time)
submit () {
  out=$(sbatch --parsable --array=0-2 --export=ALL \
    --output="$d/task-%a.log" "$d/job.sh" 2>&1)
  jobid=$(echo "$out" | head -1 | cut -d';' -f1)
  case "$jobid" in ''|*[!0-9]*) fail "sbatch: $out" ;; esac
  i=0
  while [ -n "$(squeue -h -j "$jobid" 2>/dev/null)" ] && [ $i -lt 600 ]; do
    sleep 0.1
    i=$((i + 1))
  done
  [ $i -lt 600 ] || fail "job $jobid still queued after 60 s"
}

# the exit code of each array task, from the controller
task_rc () {
  scontrol -o show job "${jobid}_$1" | sed -n 's/.* ExitCode=\([0-9]*\):.*/\1/p'
}

submit
echo "first run: job $jobid"
[ "$(task_rc 0)" = 0 ] || fail "task 0 exit code '$(task_rc 0)', want 0"
[ "$(task_rc 1)" = 1 ] || fail "task 1 exit code '$(task_rc 1)', want 1 (truncated clip)"
[ "$(task_rc 2)" = 0 ] || fail "task 2 exit code '$(task_rc 2)', want 0"
for n in 0 1 2 3; do
  [ -s "$d/out/clip$n.mkv" ] || fail "no output for clip$n"
done
[ ! -e "$d/out/clip4.mkv" ] || fail "the truncated clip has an output"
ls -A "$d/out" | grep -q '\.part$' && fail "partial outputs left: $(ls -A "$d/out")"
grep -q "^failed .*clip4.mkv: ." "$d/task-1.log" || fail "task 1 does not say why clip4 failed"
grep -q "shard 1/3 (SLURM_ARRAY_TASK_ID=1): 2 file(s)" "$d/task-1.log" \
  || fail "task 1 did not take its shard from Slurm"

# repaired and resubmitted: the done outputs are skipped, clip4 is made
cp "$d/clip4.good" "$d/in/clip4.mkv"
submit
echo "second run: job $jobid"
for t in 0 1 2; do
  [ "$(task_rc $t)" = 0 ] || fail "resubmission: task $t exit code '$(task_rc $t)'"
done
[ -s "$d/out/clip4.mkv" ] || fail "no output for clip4 after the rerun"
grep -q "0 ok, 2 skipped" "$d/task-0.log" || fail "task 0 did not skip its done files"
grep -q "1 ok, 1 skipped" "$d/task-1.log" || fail "task 1 did not redo only clip4"
echo "PASS"
exit 0
