// What the file session shows over the editor: the notice banner (saved, open problems,
// errors), the crash-recovery offer, the "save changes?" confirmation and the in-app chooser.
// Everything reads the session store; nothing here changes the document itself.
import { useI18n } from '../i18n';
import { useDocument } from '../state/documentStore';
import { Dialog } from './Dialog';
import { FileChooser } from './FileChooser';
import { baseName, discardRecovery, dismissNotice, recover, useSession } from './session';

/** How many diagnostics the banner lists before "…": the editor's problems list has them all. */
const MAX_LISTED = 5;

export function FileOverlays() {
  const session = useSession();
  return (
    <>
      <div className="nw-file-banners">
        <RecoveryBanner />
        {session.notice !== null && <NoticeBanner />}
      </div>
      {session.confirm !== null && <ConfirmDiscard resolve={session.confirm.resolve} />}
      {session.chooser !== null && <FileChooser key={session.chooser.mode} request={session.chooser} />}
    </>
  );
}

function NoticeBanner() {
  const { t, pick } = useI18n();
  const notice = useSession().notice;
  if (notice === null) return null;
  const detail = notice.detail === undefined ? null : typeof notice.detail === 'string' ? notice.detail : pick(notice.detail);
  const listed = notice.diagnostics?.slice(0, MAX_LISTED) ?? [];
  return (
    <div className={`nw-banner nw-banner--${notice.tone}`} role={notice.tone === 'error' ? 'alert' : 'status'} data-testid="file-notice" data-tone={notice.tone}>
      <div className="nw-banner__text">
        <p>{t(notice.key, notice.vars)}</p>
        {detail !== null && <p className="nw-banner__detail">{detail}</p>}
        {listed.length > 0 && (
          <ul className="nw-banner__list">
            {listed.map((d, index) => (
              <li key={index} data-severity={d.severity}>
                {pick(d.message)}
              </li>
            ))}
            {(notice.diagnostics?.length ?? 0) > MAX_LISTED && <li>…</li>}
          </ul>
        )}
      </div>
      <button type="button" className="nw-button nw-button--quiet" onClick={dismissNotice}>
        {t('files.notice.dismiss')}
      </button>
    </div>
  );
}

function RecoveryBanner() {
  const { t, lang } = useI18n();
  const record = useSession().recovery;
  if (record === null) return null;
  const time = new Date(record.savedAt).toLocaleString(lang === 'ja' ? 'ja-JP' : 'en-US', { dateStyle: 'medium', timeStyle: 'short' });
  const name = record.path !== null ? baseName(record.path) : record.document.name;
  return (
    <div className="nw-banner nw-banner--warning" role="region" aria-labelledby="nw-recovery-title" data-testid="recovery-banner">
      <div className="nw-banner__text">
        <p id="nw-recovery-title">
          <strong>{t('files.recovery.title', { time })}</strong>
        </p>
        <p className="nw-banner__detail">{t('files.recovery.body', { name })}</p>
      </div>
      <button type="button" className="nw-button nw-button--primary" data-testid="recovery-recover" onClick={recover}>
        {t('files.recovery.recover')}
      </button>
      <button type="button" className="nw-button" data-testid="recovery-discard" onClick={discardRecovery}>
        {t('files.recovery.discard')}
      </button>
    </div>
  );
}

function ConfirmDiscard({ resolve }: { readonly resolve: (choice: 'save' | 'discard' | 'cancel') => void }) {
  const { t } = useI18n();
  const { document: doc, path } = useDocument();
  const name = path !== null ? baseName(path) : doc.name;
  return (
    <Dialog
      title={t('files.confirm.title')}
      role="alertdialog"
      onClose={() => resolve('cancel')}
      testId="confirm-discard"
      footer={
        <>
          <button type="button" className="nw-button" data-testid="confirm-cancel" onClick={() => resolve('cancel')}>
            {t('files.cancel')}
          </button>
          <button type="button" className="nw-button" data-testid="confirm-discard-button" onClick={() => resolve('discard')}>
            {t('files.confirm.discard')}
          </button>
          <button type="button" className="nw-button nw-button--primary" data-autofocus data-testid="confirm-save" onClick={() => resolve('save')}>
            {t('files.confirm.save')}
          </button>
        </>
      }
    >
      <p>{t('files.confirm.body', { name })}</p>
    </Dialog>
  );
}
