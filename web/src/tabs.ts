// The task switch: one tab per task (language model, forecast, classify), each showing its own panel. The URL's
// hash names the open task (#forecast, #classify), so a link opens it. A panel hears 'taskshow' when it opens
// and 'taskhide' when it closes: the views start their charts and data on first show, and pause a run they leave
// (the cores are shared, so the task on screen gets them).
import { byId } from './dom.js';

export function initTabs(): void {
  const tabs = [...document.querySelectorAll<HTMLButtonElement>('.tasks [role="tab"]')];
  const blurb = byId('blurb');
  const panelOf = (tab: HTMLButtonElement): HTMLElement => byId(tab.getAttribute('aria-controls')!);

  const select = (tab: HTMLButtonElement, focus = false): void => {
    for (const other of tabs) {
      const on = other === tab;
      if (!on && other.getAttribute('aria-selected') === 'true') panelOf(other).dispatchEvent(new Event('taskhide'));
      other.setAttribute('aria-selected', String(on));
      other.tabIndex = on ? 0 : -1;
      panelOf(other).hidden = !on;
    }
    blurb.textContent = tab.dataset.blurb ?? '';
    const task = tab.dataset.task;
    history.replaceState(null, '', task === 'language-model' ? location.pathname + location.search : `#${task}`);
    panelOf(tab).dispatchEvent(new Event('taskshow'));
    if (focus) tab.focus();
  };

  tabs.forEach((tab, k) => {
    tab.addEventListener('click', () => select(tab));
    // The tabs pattern of WAI-ARIA: arrows move between tabs, Home and End go to the ends.
    tab.addEventListener('keydown', (event) => {
      const next = { ArrowRight: k + 1, ArrowLeft: k - 1, Home: 0, End: tabs.length - 1 }[event.key];
      if (next === undefined) return;
      event.preventDefault();
      select(tabs[(next + tabs.length) % tabs.length]!, true);
    });
  });
  const fromHash = tabs.find((tab) => `#${tab.dataset.task}` === location.hash);
  select(fromHash ?? tabs[0]!);
}
