/**
 * `gan-studio repair RUN_DIR`: what a kill, a crash or a full disk left
 * wrong in a run folder, put right (src/engine/run/repair.ts). It lists what
 * it would do and changes nothing unless given --yes, so a user sees first
 * what will happen to their run; it never deletes weights either way.
 */
import type { Command } from 'commander';
import { UserError, planRepair, repairRun, type RepairReport } from '../../engine/light';

/** The report is the command's result: stdout (errors go to stderr as always). */
const say = (line: string): void => void process.stdout.write(`${line}\n`);

function print(r: RepairReport): void {
  if (r.actions.length === 0 && r.unrepairable.length === 0) {
    say(`${r.runDir}: nothing to repair.`);
    return;
  }
  if (r.actions.length > 0) {
    say(`${r.applied ? 'repaired' : 'would repair'} ${r.runDir}:`);
    for (const a of r.actions) say(`  - ${a.description}`);
  }
  for (const p of r.unrepairable) say(`cannot repair: ${p}`);
  if (!r.applied && r.actions.length > 0) say('Nothing was changed. Run again with --yes to repair.');
}

export function registerRepair(program: Command): void {
  program
    .command('repair')
    .description('List what is wrong with a damaged run folder and how it would be repaired (--yes: repair it)')
    .argument('<runDir>', 'the run folder')
    .option('--yes', 'do the repairs (without it, nothing is changed)')
    .action(async (runDir: string, flags: { yes?: boolean }) => {
      const report = flags.yes ? await repairRun(runDir) : await planRepair(runDir);
      print(report);
      if (report.unrepairable.length > 0)
        throw new UserError(
          `${runDir} still has ${report.unrepairable.length} problem(s) a repair cannot fix (above).`,
        );
    });
}
