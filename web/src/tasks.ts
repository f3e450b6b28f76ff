// The forecast and classify views and the switch between the three tasks; the language model's view is main.ts.
import { ClassifyView } from './classify-view.js';
import { ForecastView } from './forecast-view.js';
import { initTabs } from './tabs.js';
import { TaskClient } from './task-client.js';

export function startTaskViews(): void {
  const client = new TaskClient();
  new ForecastView(client);
  new ClassifyView(client);
  initTabs();
}
