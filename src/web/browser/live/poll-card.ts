/**
 * One poll drawn for a room: the question, one bar per option with its label, `NN%` and vote
 * count, the participant count, and whether the poll is open or closed. The poll page shows one,
 * the dashboard up to twelve.
 *
 * - Figures change at once when a message arrives; only the bars' widths move, by a CSS
 *   transition (live.css: at most 300 ms, none under prefers-reduced-motion).
 * - Hidden results (isHidden) arrive without tallies, and the card then draws no bar, no
 *   percentage and no vote count at all: only the labels and why ("Results appear ...").
 * - Versions: a message older than the one shown is ignored; the first message of a
 *   (re)subscription is a fresh snapshot and is always drawn.
 */
import { el, formatCount, formatDateTime, setText, uniqueId } from './dom';
import type { PollPost, PollResults, ResultsVisibility } from './documents';

type OptionResult = PollResults['options'][number];

const HIDDEN_NOTES: Record<ResultsVisibility, string> = {
  ALWAYS: 'Results are hidden for now',
  ON_VOTE: 'Results appear after you vote',
  ON_CLOSE: 'Results appear when the poll closes',
};

/** The DOM of one option row, kept so that updates move the bar instead of redrawing it. */
interface OptionRow {
  item: HTMLLIElement;
  label: HTMLElement;
  percent?: HTMLElement;
  votes?: HTMLElement;
  bar?: HTMLElement;
  fill?: HTMLElement;
}

export class PollCard {
  readonly element: HTMLElement;
  private readonly state = el('p', { class: 'poll-state' });
  private readonly question: HTMLElement;
  private readonly hiddenNote = el('p', { class: 'hidden-note' });
  private readonly options = el('ol', { class: 'options' });
  private readonly participants = el('p', { class: 'participants' });
  private rows = new Map<string, OptionRow>();
  /** What the option rows were drawn for: option ids in order, and whether hidden. */
  private drawnShape = '';
  private post: PollPost | null = null;
  private results: PollResults | null = null;

  constructor(headingLevel: 'h1' | 'h2') {
    const questionId = uniqueId('question');
    this.question = el(headingLevel, { class: 'question', id: questionId });
    this.hiddenNote.hidden = true;
    this.element = el(
      'article',
      { class: 'poll-card', 'aria-labelledby': questionId },
      this.state,
      this.question,
      this.hiddenNote,
      this.options,
      this.participants,
    );
  }

  /** The poll itself changed (question, closing time, visibility), from postUpdated. */
  showPost(post: PollPost): void {
    this.post = post;
    setText(this.question, post.title);
    this.draw();
  }

  /** New results; `snapshot` when they are the first of a (re)subscription. */
  showResults(results: PollResults, snapshot: boolean): void {
    if (!snapshot && this.results && results.version < this.results.version) return;
    this.results = results;
    this.draw();
  }

  /** The poll was deleted or removed. */
  showGone(): void {
    this.element.classList.add('gone');
    this.element.replaceChildren(this.question, el('p', { class: 'gone-note' }, 'This poll is no longer available.'));
    if (!this.question.textContent) this.question.textContent = 'Poll';
  }

  private draw(): void {
    const results = this.results;
    const isClosed = results?.isClosed ?? this.post?.isClosed ?? false;
    this.element.classList.toggle('closed', isClosed);
    const closesAt = this.post?.closesAt;
    setText(this.state, isClosed ? 'Closed' : closesAt ? `Open · closes ${formatDateTime(closesAt)}` : 'Open');
    if (!results) return;
    this.element.closest('[aria-busy]')?.removeAttribute('aria-busy');
    this.hiddenNote.hidden = !results.isHidden;
    setText(this.hiddenNote, results.isHidden ? HIDDEN_NOTES[this.post?.resultsVisibility ?? 'ALWAYS'] : '');
    setText(this.participants, formatCount(results.participantCount, 'participant', 'participants'));
    const shape = `${results.isHidden}:${results.options.map((option) => option.optionId).join(',')}`;
    if (shape !== this.drawnShape) this.redrawRows(results);
    results.options.forEach((option) => this.updateRow(this.rows.get(option.optionId)!, option));
  }

  /** New rows when the options or the visibility changed (an edit before the first vote, a poll closing). */
  private redrawRows(results: PollResults): void {
    this.rows = new Map(results.options.map((option) => [option.optionId, this.newRow(results.isHidden)]));
    this.options.replaceChildren(...[...this.rows.values()].map((row) => row.item));
    // The rows share the card's height (live.css): their type size follows how many there are.
    this.element.style.setProperty('--rows', String(Math.max(1, results.options.length)));
    this.drawnShape = `${results.isHidden}:${results.options.map((option) => option.optionId).join(',')}`;
  }

  private newRow(hidden: boolean): OptionRow {
    const label = el('span', { class: 'option-label', id: uniqueId('option') });
    if (hidden) return { item: el('li', { class: 'option' }, el('div', { class: 'option-line' }, label)), label };
    const percent = el('span', { class: 'percent' });
    const votes = el('span', { class: 'votes' });
    const fill = el('div', { class: 'bar-fill' });
    const bar = el('div', { class: 'bar', role: 'progressbar', 'aria-labelledby': label.id, 'aria-valuemin': 0, 'aria-valuemax': 100 }, fill);
    const line = el('div', { class: 'option-line' }, label, el('span', { class: 'figures' }, percent, ' ', votes));
    return { item: el('li', { class: 'option' }, line, bar), label, percent, votes, bar, fill };
  }

  private updateRow(row: OptionRow, option: OptionResult): void {
    setText(row.label, option.label);
    row.item.dataset.optionId = option.optionId;
    if (!row.bar || option.percentage === null || option.voteCount === null) return;
    const percent = `${option.percentage}%`;
    const votes = formatCount(option.voteCount, 'vote', 'votes');
    setText(row.percent!, percent);
    setText(row.votes!, votes);
    row.bar.setAttribute('aria-valuenow', String(option.percentage));
    row.bar.setAttribute('aria-valuetext', `${percent}, ${votes}`);
    // CSSOM, not a style attribute: the CSP allows no inline styles, and the transition animates this.
    row.fill!.style.width = percent;
  }
}
