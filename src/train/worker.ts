// The dashboard's training thread: the same training as on the main thread (trainHere), with its
// events posted to the UI thread and its requests read from the shared control.
import { parentPort, workerData } from 'node:worker_threads';
import { adoptArena } from '../memory/arena.js';
import { TrainingControl } from './control.js';
import { trainHere, workerView, type WorkerMessage, type WorkerSetup } from './session.js';

const setup = workerData as WorkerSetup;
const { dataset } = setup;
if (setup.arena.memory) {
  const views = [dataset.train.x, dataset.train.y, ...(dataset.validation ? [dataset.validation.x, dataset.validation.y] : [])];
  adoptArena(setup.arena.memory, setup.arena.top, views);
}
const clock = (): number => performance.now();
const post = (message: WorkerMessage): void => parentPort!.postMessage(message);
await trainHere(
  { config: setup.config, dataset, initial: setup.initial, threads: setup.threads, control: new TrainingControl(setup.control), clock },
  workerView(post, clock),
);
