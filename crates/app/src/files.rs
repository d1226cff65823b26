//! Uploaded files: kept in the file storage, recorded (name, type, size, hash, owner) in the store, and read by
//! their own organisation and by whoever may see a project they are attached to.

use shanzhi_domain::org::{Actor, Role};
use shanzhi_store::{By, FileMeta, PageRequest, ProjectFilter};

use crate::{App, Error, Result};

/// Stores one upload of `actor`'s organisation (providers and purchasers), checked for its type and size.
pub async fn upload(app: &App, actor: &Actor, name: &str, bytes: &[u8]) -> Result<FileMeta> {
    // A registrant uploads its qualifications' documents before civil affairs verifies it.
    let registrant = shanzhi_domain::registry::may_keep(actor, actor.org_id);
    if !(actor.has(Role::Provider) || actor.has(Role::Purchaser) || registrant) {
        return Err(Error::forbidden("upload"));
    }
    let (content_type, sha) = shanzhi_store::files::check_upload(name, bytes, app.rules.max_upload_bytes)?;
    let key = format!("{}/{}-{}", &sha[..2], sha, crate::sessions::new_token().get(..8).unwrap_or("x"));
    app.files.put(&key, bytes).await?;
    let clean_name: String = name.chars().filter(|c| !c.is_control() && *c != '/' && *c != '\\').take(200).collect();
    let meta = FileMeta {
        id: 0,
        name: clean_name,
        content_type: content_type.into(),
        size: bytes.len() as i64,
        sha256: sha,
        storage_key: key.clone(),
        owner_org_id: actor.org_id,
        uploaded_by: actor.user_id,
        created_at: String::new(),
    };
    match app.store.add_file(&By::actor(actor), meta, app.clock.now()).await {
        Ok(meta) => Ok(meta),
        Err(e) => {
            // Nothing refers to the stored bytes now: remove them rather than leave an orphan.
            if let Err(left) = app.files.remove(&key).await {
                tracing::warn!(%left, key, "an unrecorded upload could not be removed");
            }
            Err(e.into())
        }
    }
}

/// Whether `actor` may download a file: their own organisation's, or one attached to a project they can see.
pub async fn may_read(app: &App, actor: &Actor, file: &FileMeta) -> Result<bool> {
    if file.owner_org_id == actor.org_id {
        return Ok(true);
    }
    // Civil affairs checks a provider's qualifications against their documents.
    if shanzhi_domain::registry::may_verify(actor) && app.store.is_qualification_document(file.id).await? {
        return Ok(true);
    }
    let holding = ProjectFilter { file: Some(file.id), ..Default::default() };
    let page = crate::projects::project_page(app, actor, &holding, PageRequest::first(1)).await?;
    Ok(!page.items.is_empty())
}

/// A file and its bytes, for one who may read it; others get the same 404 as a missing one.
pub async fn download(app: &App, actor: &Actor, id: i64) -> Result<(FileMeta, Vec<u8>)> {
    let file = app.store.file(id).await?.ok_or_else(Error::not_found)?;
    if !may_read(app, actor, &file).await? {
        return Err(Error::not_found());
    }
    let bytes = app.files.get(&file.storage_key).await.map_err(|e| Error::Internal(e.to_string()))?;
    Ok((file, bytes))
}

/// An upload of `actor`'s own organisation, if `id` is one.
pub async fn own(app: &App, actor: &Actor, id: i64) -> Result<Option<FileMeta>> {
    Ok(app.store.file(id).await?.filter(|f| f.owner_org_id == actor.org_id))
}
