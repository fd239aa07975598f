import { DjangoStaticFilesOptions, WsgiApiStaticFilesOptions } from './types';

/**
 * Ready-made `staticFiles` for common frameworks.
 */
export class StaticFiles {
  /**
   * The files Django's `collectstatic` gathers with the app's own settings, run at synth, served under the app's
   * `STATIC_URL`; with hashed storage, the manifest ships with the function. See `DjangoStaticFilesOptions`.
   *
   * Use it as `staticFiles: StaticFiles.django()` in the props of a WsgiApi whose `module` is the project's
   * `mysite.wsgi.application`.
   */
  public static django(options: DjangoStaticFilesOptions = {}): WsgiApiStaticFilesOptions {
    return { django: options };
  }

  private constructor() {}
}
