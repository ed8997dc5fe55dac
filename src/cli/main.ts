/**
 * The `gan-studio` command line. Each command lives in ./commands; this file
 * wires them up and turns errors into one line on stderr and a non-zero exit.
 */
import { Command, CommanderError } from 'commander';
import { registerBench, registerConfig, registerInfo } from './commands/inspect';
import { registerMetrics, registerNearest } from './commands/metrics';
import { registerRepair } from './commands/repair';
import { registerServe } from './commands/serve';
import { registerTrain } from './commands/train';
import { registerExport } from './commands/export';
import { registerGenerate } from './commands/generate';
import { reportError, setVerbose } from './output';
import { packageVersion } from './package-version';

const program = new Command('gan-studio')
  .description('Train GANs on your own image folders, then generate and export.')
  .version(packageVersion(), '-V, --version', 'print the version of GAN Studio')
  .option('--verbose', 'print stack traces and internal details on errors')
  .showHelpAfterError('(add --help for usage)')
  .exitOverride()
  .hook('preAction', (cmd) => setVerbose(Boolean(cmd.opts().verbose)));

registerTrain(program);
registerGenerate(program);
registerExport(program);
registerMetrics(program);
registerNearest(program);
registerRepair(program);
registerBench(program);
registerInfo(program);
registerConfig(program);
registerServe(program);
for (const cmd of program.commands) cmd.exitOverride();

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    // Commander has printed its own message (or the help text) already.
    process.exitCode = err.exitCode;
  } else {
    reportError(err);
    process.exitCode = 1;
  }
}
