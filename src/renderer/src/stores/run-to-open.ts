import { checkpointRunToOpen, rememberedRun } from '../lib/run-on-show';
import { useRunsStore } from './runs';
import { useTrainingStore } from './training';

/**
 * The run Generate and Export open on when the user has not picked one: the
 * run Train shows (or showed in this tab before a reload), not whichever run
 * is newest (lib/run-on-show's checkpointRunToOpen). Loads the Runs list first.
 */
export async function checkpointRunOnOpen(): Promise<string | null> {
  const runs = useRunsStore();
  await runs.init();
  return checkpointRunToOpen(runs.runs, useTrainingStore().runId ?? rememberedRun());
}
