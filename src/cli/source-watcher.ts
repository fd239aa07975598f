import * as fs from 'fs';
import * as path from 'path';

/** Changes to these reload the app: Python sources, and templates, which Jinja caches per process. */
export const RELOAD_EXTENSIONS = ['.py', '.html', '.htm', '.jinja', '.jinja2', '.j2'];

// Virtualenvs, caches and build output hold no sources of the app and can be huge; dot-folders
// (.venv, .git, .mypy_cache...) are skipped too.
const SKIPPED_DIRS = new Set(['venv', '__pycache__', 'node_modules', 'cdk.out']);
// One inotify watch per folder; an app with more folders than this is not a source tree.
const MAX_DIRS = 2000;
// Editors save in bursts (write, rename, chmod): one reload for a burst.
const DEBOUNCE_MS = 150;

/** Watches the app's folder tree and reports changed sources, a burst at a time. */
export class SourceWatcher {
  private readonly watchers = new Map<string, fs.FSWatcher>();
  private readonly changed = new Set<string>();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly root: string,
    private readonly onChange: (files: string[]) => void,
    private readonly warn: (line: string) => void,
  ) {
    this.watchTree(root);
  }

  public close(): void {
    clearTimeout(this.timer);
    for (const watcher of this.watchers.values()) watcher.close();
    this.watchers.clear();
  }

  private watchTree(top: string): void {
    const pending = [top];
    while (pending.length > 0) {
      const dir = pending.shift()!;
      if (this.watchers.has(dir)) continue;
      if (this.watchers.size >= MAX_DIRS) {
        this.warn(`cdk-wsgi serve: watching the first ${MAX_DIRS} folders of ${this.root} only; changes elsewhere need a restart`);
        return;
      }
      try {
        const watcher = fs.watch(dir, (_event, name) => this.changedIn(dir, name));
        watcher.on('error', () => this.unwatch(dir));
        this.watchers.set(dir, watcher);
        for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
          if (entry.isDirectory() && !skipped(entry.name)) pending.push(path.join(dir, entry.name));
        }
      } catch {
        this.unwatch(dir); // gone already, or unreadable
      }
    }
  }

  private changedIn(dir: string, name: string | Buffer | null): void {
    if (typeof name !== 'string' || skipped(name)) return;
    const file = path.join(dir, name);
    if (RELOAD_EXTENSIONS.includes(path.extname(name))) {
      this.record(file);
    } else if (this.watchers.has(file) && !fs.existsSync(file)) {
      this.unwatch(file);
      this.record(file);
    } else if (!this.watchers.has(file) && isDirectory(file)) {
      // A new folder (a package copied in): its files changed before it could be watched.
      this.watchTree(file);
      this.record(file);
    }
  }

  private record(file: string): void {
    this.changed.add(path.relative(this.root, file));
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      const files = [...this.changed];
      this.changed.clear();
      this.onChange(files);
    }, DEBOUNCE_MS);
  }

  private unwatch(dir: string): void {
    this.watchers.get(dir)?.close();
    this.watchers.delete(dir);
  }
}

function skipped(name: string): boolean {
  return name.startsWith('.') || SKIPPED_DIRS.has(name);
}

function isDirectory(file: string): boolean {
  try {
    return fs.statSync(file).isDirectory();
  } catch {
    return false;
  }
}
