// The template gallery: the bundled lesson graphs as cards (lesson number, title, description
// and node count in the current language); opening one replaces the canvas, after asking about
// unsaved changes. Opened from the top bar and the empty canvas (`openGallery()`).
import { useMemo } from 'react';
import { useI18n, type MessageKey } from '../i18n';
import { en } from '../i18n/en';
import { Dialog } from '../files/Dialog';
import { openTemplate } from '../files/session';
import { closeGallery, useGalleryOpen } from './galleryStore';
import { bundledLessons, type Lesson } from './lessons';

/** The lesson's title in the UI language: a dictionary entry `lesson.<id>`, else the file's own name. */
function useLessonTitle(): (lesson: Lesson) => string {
  const { t } = useI18n();
  return (lesson) => {
    const key = `lesson.${lesson.id}`;
    return key in en ? t(key as MessageKey) : lesson.title;
  };
}

export function Gallery() {
  const open = useGalleryOpen();
  return open ? <GalleryDialog /> : null;
}

function GalleryDialog() {
  const { t, pick } = useI18n();
  const title = useLessonTitle();
  // Parsed once per opening; the files are bundled strings, so this is cheap.
  const lessons = useMemo(() => bundledLessons(), []);

  const choose = async (lesson: Lesson) => {
    closeGallery();
    await openTemplate(lesson.document);
  };

  return (
    <Dialog title={t('gallery.title')} onClose={closeGallery} testId="gallery" wide footer={
      <button type="button" className="nw-button" onClick={closeGallery}>
        {t('gallery.close')}
      </button>
    }>
      <ul className="nw-gallery" aria-label={t('gallery.list')}>
        {lessons.map((lesson) => (
          <li key={lesson.id} className="nw-gallery__card" data-testid={`gallery-item-${lesson.id}`}>
            <div className="nw-gallery__meta">
              {lesson.number !== null && <span className="nw-gallery__lesson">{t('gallery.lesson', { number: lesson.number })}</span>}
              <span className="nw-gallery__nodes">{t('gallery.nodes', { count: lesson.nodeCount })}</span>
            </div>
            <h3 className="nw-gallery__title">{title(lesson)}</h3>
            <p className="nw-gallery__description">{pick(lesson.description)}</p>
            <button
              type="button"
              className="nw-button nw-button--primary nw-gallery__open"
              data-testid={`gallery-open-${lesson.id}`}
              aria-label={t('gallery.openNamed', { name: title(lesson) })}
              onClick={() => void choose(lesson)}
            >
              {t('gallery.openTemplate')}
            </button>
          </li>
        ))}
      </ul>
    </Dialog>
  );
}
