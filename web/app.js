// The page: sign in, list reviews ("load more" follows nextToken), "my reviews", and create,
// edit and delete one's own. API data reaches the page through textContent only, never as HTML.
import { ApiError, describeApiError, reviewsApi } from './api.js';
import {
  cognito, CognitoError, currentSession, describeCognitoError, forget, hadSession,
} from './auth.js';

const DRAFT_KEY = 'review-api.draft';
const $ = (id) => document.getElementById(id);
const state = { config: null, api: null, idp: null, filter: 'all', nextToken: null, pendingEmail: '' };

function el(tag, props = {}, children = []) {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}

function say(text) { $('alert').textContent = ''; $('status').textContent = text; }
function warn(text) { $('status').textContent = ''; $('alert').textContent = text; }
function quiet() { $('alert').textContent = ''; $('status').textContent = ''; }

function session() { return currentSession(); }

// ---- signed in or out ------------------------------------------------------------------------

function showSignedIn(current) {
  $('auth').hidden = Boolean(current);
  $('compose').hidden = !current;
  $('who').hidden = !current;
  $('who-name').textContent = current ? `Signed in as ${current.name}` : '';
  const mine = document.querySelector('input[name="show"][value="mine"]');
  mine.disabled = !current;
  if (!current && state.filter === 'mine') {
    document.querySelector('input[name="show"][value="all"]').checked = true;
    state.filter = 'all';
  }
}

// An expired (or refused) session: keep what was typed, go back to sign-in.
function sessionExpired(draft) {
  if (draft && draft.text) sessionStorage.setItem(DRAFT_KEY, JSON.stringify(draft));
  forget();
  showSignedIn(null);
  refreshOwnControls();
  $('auth-note').hidden = false;
  $('auth-note').textContent = describeApiError(new ApiError('expired', 401, ''));
  warn('');
  $('sign-in-heading').focus();
}

function restoreDraft() {
  const raw = sessionStorage.getItem(DRAFT_KEY);
  sessionStorage.removeItem(DRAFT_KEY);
  let draft = null;
  try {
    draft = raw ? JSON.parse(raw) : null;
  } catch {
    return false;
  }
  if (!draft || typeof draft.text !== 'string') return false;
  const item = draft.id && document.querySelector(`li[data-id="${CSS.escape(draft.id)}"]`);
  if (item && item.review) {
    openEditor(item, draft.text);
  } else {
    $('compose-text').value = draft.text;
    $('compose-text').focus();
  }
  return true;
}

async function signIn(email, password) {
  const current = await state.idp.signIn(email, password);
  $('sign-in').reset();
  $('auth-note').hidden = true;
  showSignedIn(current);
  refreshOwnControls();
  say(`Welcome, ${current.name}.`);
  if (!restoreDraft()) $('compose-heading').focus();
}

function guarded(form, action) {
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const button = form.querySelector('button[type="submit"]');
    button.disabled = true;
    try {
      await action(new FormData(form));
    } catch (error) {
      if (error instanceof CognitoError) warn(describeCognitoError(error));
      else throw error;
    } finally {
      button.disabled = false;
    }
  });
}

function wireAuth() {
  guarded($('sign-in'), async (data) => {
    await signIn(String(data.get('email')).trim(), String(data.get('password')));
  });
  guarded($('sign-up'), async (data) => {
    const email = String(data.get('email')).trim();
    const password = String(data.get('password'));
    const confirmed = await state.idp.signUp(email, password, String(data.get('name')).trim());
    if (confirmed) {
      $('sign-up').reset();
      await signIn(email, password);
      return;
    }
    state.pendingEmail = email;  // AWS: a code was emailed; the emulator confirms at once
    $('sign-in-email').value = email;
    $('confirm').hidden = false;
    say('Account created. Enter the code we emailed you, then sign in.');
    $('confirm-code').focus();
  });
  guarded($('confirm'), async (data) => {
    await state.idp.confirm(state.pendingEmail, String(data.get('code')).trim());
    $('confirm').hidden = true;
    say('Account confirmed. Sign in with your email and password.');
    $('sign-in-password').focus();
  });
  $('sign-out').addEventListener('click', () => {
    forget();
    showSignedIn(null);
    refreshOwnControls();
    say('Signed out.');
    $('sign-in-heading').focus();
  });
}

// ---- one review ------------------------------------------------------------------------------

function authorOf(review) {
  const author = review.author;
  if (author && typeof author === 'object') return { id: author.id, name: author.name || 'someone' };
  return { id: null, name: typeof review.name === 'string' ? review.name : 'someone' };
}

function when(review) {
  const date = new Date(review.updatedAt || review.createdAt);
  const text = Number.isNaN(date.getTime()) ? '' : date.toLocaleString();
  return review.updatedAt && review.updatedAt !== review.createdAt ? `edited ${text}` : text;
}

function reviewItem(review) {
  const item = el('li', { className: 'review' });
  item.dataset.id = review.id;
  item.review = review;
  fillItem(item);
  return item;
}

function fillItem(item) {
  const review = item.review;
  const author = authorOf(review);
  const current = session();
  const text = el('p', { className: 'review-text', textContent: review.review });
  const meta = el('p', { className: 'meta', textContent: `${author.name} · ${when(review)}` });
  const parts = [text, meta];
  if (current && author.id === current.sub) {
    const edit = el('button', { type: 'button', className: 'secondary', textContent: 'Edit' });
    const remove = el('button', { type: 'button', className: 'secondary', textContent: 'Delete' });
    edit.setAttribute('aria-label', `Edit your review: ${review.review.slice(0, 40)}`);
    remove.setAttribute('aria-label', `Delete your review: ${review.review.slice(0, 40)}`);
    edit.addEventListener('click', () => openEditor(item, review.review));
    remove.addEventListener('click', () => askDelete(item, remove));
    parts.push(el('div', { className: 'actions' }, [edit, remove]));
  }
  item.replaceChildren(el('article', {}, parts));
}

function refreshOwnControls() {
  for (const item of $('reviews').children) fillItem(item);
}

function openEditor(item, text) {
  const id = item.review.id;
  const field = `edit-${id}`;
  const box = el('textarea', { id: field, name: 'text', rows: 4, maxLength: 5000, required: true, value: text });
  const form = el('form', { className: 'editor', noValidate: true }, [
    el('label', { htmlFor: field, textContent: 'Edit your review' }), box,
    el('input', { type: 'hidden', name: 'id', value: id }),
    el('div', { className: 'actions' }, [
      el('button', { type: 'submit', textContent: 'Save' }),
      el('button', { type: 'button', className: 'secondary', textContent: 'Cancel', onclick: () => closeEditor(item) }),
    ]),
  ]);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const target = form.elements.id.value;
    await act({ kind: 'edit', id: target, text: box.value }, async () => {
      item.review = await state.api.update(target, box.value);
      closeEditor(item);
      say('Review saved.');
    }, item);
  });
  item.replaceChildren(form);
  box.focus();
}

function closeEditor(item) {
  fillItem(item);
  const edit = item.querySelector('button');
  if (edit) edit.focus();
}

function askDelete(item, button) {
  const yes = el('button', { type: 'button', className: 'danger', textContent: 'Yes, delete it' });
  const no = el('button', { type: 'button', className: 'secondary', textContent: 'Keep it' });
  const actions = button.parentElement;
  actions.replaceChildren(el('p', { textContent: 'Delete this review?' }), yes, no);
  no.addEventListener('click', () => closeEditor(item));
  yes.addEventListener('click', () => act({ kind: 'delete', id: item.review.id }, async () => {
    await state.api.remove(item.review.id);
    item.remove();
    $('empty').hidden = $('reviews').children.length > 0;
    say('Review deleted.');
    $('reviews-heading').focus();
  }, item));
  yes.focus();
}

// Run one API action; errors become words, a 401 sends the user to sign-in with the text kept.
async function act(draft, action, item = null) {
  if (draft.kind !== 'list') quiet();
  if (draft.kind !== 'list' && !session()) {
    sessionExpired(draft);
    return;
  }
  try {
    await action();
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    if (error.kind === 'expired') {
      sessionExpired(draft);
      return;
    }
    warn(describeApiError(error));
    if (error.kind === 'missing' && item) item.remove();
  }
}

// ---- the list --------------------------------------------------------------------------------

async function loadPage(first) {
  const list = $('reviews');
  const more = $('more');
  const current = session();
  list.setAttribute('aria-busy', 'true');
  more.disabled = true;
  await act({ kind: 'list' }, async () => {
    const author = state.filter === 'mine' && current ? current.sub : undefined;
    const page = await state.api.list({ author, nextToken: first ? undefined : state.nextToken });
    if (first) list.replaceChildren();
    list.append(...page.items.map(reviewItem));
    state.nextToken = page.nextToken || null;
    $('empty').hidden = list.children.length > 0;
    more.hidden = !state.nextToken;
    if (!first && !state.nextToken) $('reviews-heading').focus();
  });
  list.setAttribute('aria-busy', 'false');
  more.disabled = false;
}

function wireReviews() {
  guarded($('compose-form'), async (data) => {
    const text = String(data.get('text'));
    await act({ kind: 'create', text }, async () => {
      const review = await state.api.create(text);
      $('reviews').prepend(reviewItem(review));
      $('empty').hidden = true;
      $('compose-form').reset();
      say('Review posted.');
    });
  });
  $('more').addEventListener('click', () => loadPage(false));
  for (const radio of document.querySelectorAll('input[name="show"]')) {
    radio.addEventListener('change', () => {
      state.filter = radio.value;
      loadPage(true);
    });
  }
}

async function start() {
  await setUp();
  document.body.dataset.ready = 'true';  // the first page of reviews is in (or failed)
}

async function setUp() {
  try {
    const response = await fetch('config.json', { cache: 'no-store' });
    if (!response.ok) throw new Error(String(response.status));
    state.config = await response.json();
  } catch {
    warn('This page has no config.json. Locally: python -m emulator --web web/; '
      + 'for a deployed stage: python -m emulator web-config --stack NAME.');
    return;
  }
  state.api = reviewsApi(state.config, () => session()?.idToken);
  state.idp = cognito(state.config);
  const current = session();
  if (!current && hadSession()) {
    forget();
    $('auth-note').hidden = false;
    $('auth-note').textContent = 'Your session has expired. Please sign in again.';
  }
  showSignedIn(current);
  if (!state.config.userPoolClientId) {
    $('auth').hidden = true;
    say('Reading only: this API has no user pool configured for sign-in.');
  }
  wireAuth();
  wireReviews();
  await loadPage(true);
}

start();
