"""``tpneuro sweep``: the command-line face of :func:`tpneuro.sweeps.run_sweep`."""
from __future__ import annotations

import sys

import click

from ..formatting import percent, seconds, text_table
from .boundary import sigterm_as_interrupt


@click.command("sweep")
@click.argument("sweep_file", type=click.Path(dir_okay=False))
@click.option("--out", type=click.Path(file_okay=False), help="sweep directory (default runs/sweeps/NAME)")
@click.option("--ray-address", help="run on this existing Ray cluster (e.g. auto or HOST:6379; default: "
              "$RAY_ADDRESS, else Ray started here on all local cores)")
@click.option("--workers", type=click.IntRange(min=1),
              help="trials at once (local: the CPUs Ray gets; cluster: the most in flight)")
@click.option("--pack", type=click.IntRange(min=1),
              help="jax engine: train up to N compatible trials (differing only in seed, chip seed and learning "
                   "rates) per task as one vmapped program (default: the sweep file's pack, 1)")
@click.option("--dry-run", is_flag=True, help="validate and list the trials and what a run would do; run nothing")
@click.option("--report-only", is_flag=True, help="rebuild the tables and the report from the trial directories")
def sweep(sweep_file, out, ray_address, workers, pack, dry_run, report_only):
    """Run the trials of SWEEP_FILE (a sweeps/*.yaml grid or random search) on Ray and write one results
    table, the mean ± std over seeds and a report. Re-running skips finished trials and continues the rest."""
    from ..sweeps import plan_sweep, run_sweep
    from ..sweeps.trial_packs import pack_trials

    if dry_run:
        plan = plan_sweep(sweep_file, out)
        todo = [t for t in plan.trials if plan.actions[t.trial_id] != "skip"]
        packs = {t.trial_id: len(p) for p in pack_trials(todo, pack or plan.spec.pack) for t in p}
        for trial in plan.trials:
            together = packs.get(trial.trial_id, 1)
            click.echo(f"{plan.actions[trial.trial_id]:7s} {trial.trial_id}"
                       + (f"  (in a pack of {together})" if together > 1 else ""))
        click.echo(f"{len(plan.trials)} trials valid; sweep directory {plan.out_dir}")
        return
    with sigterm_as_interrupt():   # `kill`: stop trials, still write the tables
        result = run_sweep(sweep_file, out, ray_address=ray_address, workers=workers, echo=click.echo,
                           report_only=report_only, pack=pack)
    rows = [[a["group"], f"{a['n_completed']}/{a['n_trials']}",
             percent(a["test_acc_at_best_val_mean"], a["test_acc_at_best_val_std"]),
             percent(a["test_error_at_best_val_mean"], a["test_error_at_best_val_std"]),
             seconds(a["train_seconds_mean"], a["train_seconds_std"])] for a in result.aggregate]
    click.echo(text_table(rows, ["group", "done", "test acc. at best val. %", "best-val. test error %", "train s"]))
    counts = ", ".join(f"{n} {s}" for s, n in result.counts.items())
    click.echo(f"{counts}; tables and report in {result.out_dir} ({result.report.name}, report.html)")
    if result.failed:
        click.echo(f"{len(result.failed)} trial(s) failed (see their trial.json); re-run the sweep to retry them",
                   err=True)
        sys.exit(1)
