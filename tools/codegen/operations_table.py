"""Hand-kept naming and retry table: one row per (method, path) of the API.

Columns: HTTP method, path (parameter names as in 2.11, or Unstable for Unstable-only operations),
resource group (snake_case of the operation's first OpenAPI tag), method name, retry class.
Retry classes follow ../shared/docs/intercom-api.md section 1 ("state" is mapped to `attach`:
repeating it gives the same end state). Method-name rules:
  list / retrieve / create / update / remove (C++ has no `delete`) / search for the group's own resource;
  <verb>_<noun> for sub-resources (list_tags, attach_contact, detach_conversation, ...);
  find for retrieval by a query instead of a path id.
"""

OPERATIONS = [
    # admins
    ("get", "/me", "admins", "identify", "safe"),
    ("put", "/admins/{admin_id}/away", "admins", "set_away", "idem"),
    ("get", "/admins/activity_logs", "admins", "list_activity_logs", "safe"),
    ("get", "/admins", "admins", "list", "safe"),
    ("get", "/admins/{admin_id}", "admins", "retrieve", "safe"),
    # articles
    ("get", "/articles", "articles", "list", "safe"),
    ("post", "/articles", "articles", "create", "create"),
    ("get", "/articles/{article_id}", "articles", "retrieve", "safe"),
    ("put", "/articles/{article_id}", "articles", "update", "idem"),
    ("delete", "/articles/{article_id}", "articles", "remove", "idem"),
    ("get", "/articles/search", "articles", "search", "safe"),
    # help center
    ("get", "/help_center/collections", "help_center", "list_collections", "safe"),
    ("post", "/help_center/collections", "help_center", "create_collection", "create"),
    ("get", "/help_center/collections/{collection_id}", "help_center", "retrieve_collection", "safe"),
    ("put", "/help_center/collections/{collection_id}", "help_center", "update_collection", "idem"),
    ("delete", "/help_center/collections/{collection_id}", "help_center", "remove_collection", "idem"),
    ("get", "/help_center/help_centers/{help_center_id}", "help_center", "retrieve", "safe"),
    ("get", "/help_center/help_centers", "help_center", "list", "safe"),
    # companies
    ("post", "/companies", "companies", "create_or_update", "upsert"),
    ("get", "/companies", "companies", "find", "safe"),
    ("get", "/companies/{company_id}", "companies", "retrieve", "safe"),
    ("put", "/companies/{company_id}", "companies", "update", "idem"),
    ("delete", "/companies/{company_id}", "companies", "remove", "idem"),
    ("get", "/companies/{company_id}/contacts", "companies", "list_contacts", "safe"),
    ("get", "/companies/{company_id}/segments", "companies", "list_segments", "safe"),
    ("post", "/companies/list", "companies", "list", "read"),
    ("get", "/companies/scroll", "companies", "scroll", "safe"),
    ("post", "/contacts/{contact_id}/companies", "companies", "attach_contact", "attach"),
    ("get", "/contacts/{contact_id}/companies", "contacts", "list_companies", "safe"),
    ("delete", "/contacts/{contact_id}/companies/{company_id}", "companies", "detach_contact", "idem"),
    # notes
    ("get", "/contacts/{contact_id}/notes", "notes", "list", "safe"),
    ("post", "/contacts/{contact_id}/notes", "notes", "create", "create"),
    ("get", "/notes/{note_id}", "notes", "retrieve", "safe"),
    # contacts
    ("get", "/contacts/{contact_id}/segments", "contacts", "list_segments", "safe"),
    ("get", "/contacts/{contact_id}/subscriptions", "contacts", "list_subscriptions", "safe"),
    ("post", "/contacts/{contact_id}/subscriptions", "subscription_types", "attach_contact", "attach"),
    ("delete", "/contacts/{contact_id}/subscriptions/{subscription_id}", "subscription_types", "detach_contact",
     "idem"),
    ("get", "/contacts/{contact_id}/tags", "contacts", "list_tags", "safe"),
    ("post", "/contacts/{contact_id}/tags", "tags", "attach_contact", "attach"),
    ("delete", "/contacts/{contact_id}/tags/{tag_id}", "tags", "detach_contact", "idem"),
    ("put", "/contacts/{contact_id}", "contacts", "update", "idem"),
    ("get", "/contacts/{contact_id}", "contacts", "retrieve", "safe"),
    ("delete", "/contacts/{contact_id}", "contacts", "remove", "idem"),
    ("post", "/contacts/merge", "contacts", "merge", "once"),
    ("post", "/contacts/search", "contacts", "search", "read"),
    ("get", "/contacts", "contacts", "list", "safe"),
    ("post", "/contacts", "contacts", "create", "create"),
    ("post", "/contacts/{contact_id}/archive", "contacts", "archive", "attach"),
    ("post", "/contacts/{contact_id}/unarchive", "contacts", "unarchive", "attach"),
    ("get", "/contacts/find_by_external_id/{external_id}", "contacts", "retrieve_by_external_id", "safe"),
    # conversations
    ("post", "/conversations/{conversation_id}/tags", "tags", "attach_conversation", "attach"),
    ("delete", "/conversations/{conversation_id}/tags/{tag_id}", "tags", "detach_conversation", "idem"),
    ("get", "/conversations", "conversations", "list", "safe"),
    ("post", "/conversations", "conversations", "create", "create"),
    ("get", "/conversations/{conversation_id}", "conversations", "retrieve", "safe"),
    ("put", "/conversations/{conversation_id}", "conversations", "update", "idem"),
    ("delete", "/conversations/{id}", "conversations", "remove", "idem"),
    ("post", "/conversations/search", "conversations", "search", "read"),
    ("post", "/conversations/{conversation_id}/reply", "conversations", "reply", "create"),
    ("post", "/conversations/{conversation_id}/parts", "conversations", "manage", "create"),
    ("post", "/conversations/{conversation_id}/run_assignment_rules", "conversations", "run_assignment_rules",
     "once"),
    ("post", "/conversations/{conversation_id}/customers", "conversations", "attach_contact", "attach"),
    ("delete", "/conversations/{conversation_id}/customers/{contact_id}", "conversations", "detach_contact",
     "idem"),
    ("post", "/conversations/redact", "conversations", "redact", "attach"),
    ("post", "/conversations/{conversation_id}/convert", "conversations", "convert_to_ticket", "once"),
    # data attributes
    ("get", "/data_attributes", "data_attributes", "list", "safe"),
    ("post", "/data_attributes", "data_attributes", "create", "create"),
    ("put", "/data_attributes/{data_attribute_id}", "data_attributes", "update", "idem"),
    # data events
    ("post", "/events", "data_events", "create", "dedup"),
    ("get", "/events", "data_events", "list", "safe"),
    ("post", "/events/summaries", "data_events", "create_summaries", "create"),
    # data export
    ("post", "/export/content/data", "data_export", "create", "create"),
    ("get", "/export/content/data/{job_identifier}", "data_export", "retrieve", "safe"),
    ("post", "/export/cancel/{job_identifier}", "data_export", "cancel", "attach"),
    ("get", "/download/content/data/{job_identifier}", "data_export", "download", "safe"),
    # messages
    ("post", "/messages", "messages", "create", "create"),
    # news
    ("get", "/news/news_items", "news", "list_items", "safe"),
    ("post", "/news/news_items", "news", "create_item", "create"),
    ("get", "/news/news_items/{news_item_id}", "news", "retrieve_item", "safe"),
    ("put", "/news/news_items/{news_item_id}", "news", "update_item", "idem"),
    ("delete", "/news/news_items/{news_item_id}", "news", "remove_item", "idem"),
    ("get", "/news/newsfeeds/{newsfeed_id}/items", "news", "list_newsfeed_items", "safe"),
    ("get", "/news/newsfeeds", "news", "list_newsfeeds", "safe"),
    ("get", "/news/newsfeeds/{newsfeed_id}", "news", "retrieve_newsfeed", "safe"),
    # segments
    ("get", "/segments", "segments", "list", "safe"),
    ("get", "/segments/{segment_id}", "segments", "retrieve", "safe"),
    # subscription types
    ("get", "/subscription_types", "subscription_types", "list", "safe"),
    # switch
    ("post", "/phone_call_redirects", "phone_call_redirects", "create", "create"),
    # tags
    ("get", "/tags", "tags", "list", "safe"),
    ("post", "/tags", "tags", "create_or_update", "upsert"),
    ("get", "/tags/{tag_id}", "tags", "retrieve", "safe"),
    ("delete", "/tags/{tag_id}", "tags", "remove", "idem"),
    ("post", "/tickets/{ticket_id}/tags", "tags", "attach_ticket", "attach"),
    ("delete", "/tickets/{ticket_id}/tags/{tag_id}", "tags", "detach_ticket", "idem"),
    # teams
    ("get", "/teams", "teams", "list", "safe"),
    ("get", "/teams/{team_id}", "teams", "retrieve", "safe"),
    # ticket type attributes
    ("post", "/ticket_types/{ticket_type_id}/attributes", "ticket_type_attributes", "create", "create"),
    ("put", "/ticket_types/{ticket_type_id}/attributes/{attribute_id}", "ticket_type_attributes", "update", "idem"),
    # ticket types
    ("get", "/ticket_types", "ticket_types", "list", "safe"),
    ("post", "/ticket_types", "ticket_types", "create", "create"),
    ("get", "/ticket_types/{ticket_type_id}", "ticket_types", "retrieve", "safe"),
    ("put", "/ticket_types/{ticket_type_id}", "ticket_types", "update", "idem"),
    # tickets
    ("post", "/tickets/{ticket_id}/reply", "tickets", "reply", "create"),
    ("post", "/tickets", "tickets", "create", "create"),
    ("put", "/tickets/{ticket_id}", "tickets", "update", "idem"),
    ("get", "/tickets/{ticket_id}", "tickets", "retrieve", "safe"),
    ("delete", "/tickets/{id}", "tickets", "remove", "idem"),
    ("post", "/tickets/search", "tickets", "search", "read"),
    # ticket states
    ("get", "/ticket_states", "ticket_states", "list", "safe"),
    # visitors
    ("put", "/visitors", "visitors", "update", "idem"),
    ("get", "/visitors", "visitors", "find", "safe"),
    ("post", "/visitors/convert", "visitors", "convert", "once"),
    # ai content
    ("get", "/ai/content_import_sources", "ai_content", "list_content_import_sources", "safe"),
    ("post", "/ai/content_import_sources", "ai_content", "create_content_import_source", "create"),
    ("delete", "/ai/content_import_sources/{id}", "ai_content", "remove_content_import_source", "idem"),
    ("get", "/ai/content_import_sources/{id}", "ai_content", "retrieve_content_import_source", "safe"),
    ("put", "/ai/content_import_sources/{id}", "ai_content", "update_content_import_source", "idem"),
    ("get", "/ai/external_pages", "ai_content", "list_external_pages", "safe"),
    ("post", "/ai/external_pages", "ai_content", "create_external_page", "upsert"),
    ("delete", "/ai/external_pages/{id}", "ai_content", "remove_external_page", "idem"),
    ("get", "/ai/external_pages/{id}", "ai_content", "retrieve_external_page", "safe"),
    ("put", "/ai/external_pages/{id}", "ai_content", "update_external_page", "idem"),
    # custom object instances
    ("post", "/custom_object_instances/{custom_object_type_identifier}", "custom_object_instances",
     "create_or_update", "upsert"),
    ("get", "/custom_object_instances/{custom_object_type_identifier}", "custom_object_instances", "find", "safe"),
    ("get", "/custom_object_instances/{custom_object_type_identifier}/{id}", "custom_object_instances", "retrieve",
     "safe"),
    ("delete", "/custom_object_instances/{custom_object_type_identifier}/{id}", "custom_object_instances", "remove",
     "idem"),
]

# Display order and accessor names of the 24 groups (accessor = group name, class = <group>_api).
GROUPS = [
    "admins", "articles", "help_center", "companies", "contacts", "notes", "conversations", "data_attributes",
    "data_events", "data_export", "messages", "news", "segments", "subscription_types", "phone_call_redirects",
    "tags", "teams", "ticket_type_attributes", "ticket_types", "tickets", "visitors", "ai_content",
    "custom_object_instances", "ticket_states",
]

# OpenAPI tag -> group, for the documented mapping (Switch is a C++ keyword, hence phone_call_redirects).
TAG_TO_GROUP = {
    "Admins": "admins", "Articles": "articles", "Help Center": "help_center", "Companies": "companies",
    "Contacts": "contacts", "Notes": "notes", "Conversations": "conversations",
    "Data Attributes": "data_attributes", "Data Events": "data_events", "Data Export": "data_export",
    "Messages": "messages", "News": "news", "Segments": "segments", "Subscription Types": "subscription_types",
    "Switch": "phone_call_redirects", "Tags": "tags", "Teams": "teams",
    "Ticket Type Attributes": "ticket_type_attributes", "Ticket Types": "ticket_types", "Tickets": "tickets",
    "Visitors": "visitors", "AI Content": "ai_content", "Custom Object Instances": "custom_object_instances",
    "Ticket States": "ticket_states",
}

RETRY = {
    "safe": "safe", "idem": "idempotent", "read": "read", "upsert": "upsert", "attach": "attach",
    "dedup": "dedup", "once": "once", "create": "create",
}

# Paginated operations (../shared/docs/intercom-api.md section 1, column "Pag"): (method, path) ->
# (pagination style, dotted path of the item list in the response). Each gets a `<method>_all` pager.
# Styles map to `intercom::pagination::style`: C -> cursor, P -> page_number, S -> search, SC -> scroll,
# URL -> next_url. "R" (a `pages` object but no declared paging parameter) -> cursor: one request,
# and `pages.next` is followed only if the server ever sends one.
PAGINATION = {
    ("get", "/admins/activity_logs"): ("cursor", "activity_logs"),
    ("get", "/articles"): ("page_number", "data"),
    ("get", "/articles/search"): ("cursor", "data.articles"),
    ("get", "/help_center/collections"): ("page_number", "data"),
    ("get", "/help_center/help_centers"): ("page_number", "data"),
    ("get", "/companies"): ("page_number", "data"),
    ("get", "/companies/{company_id}/contacts"): ("page_number", "data"),
    ("post", "/companies/list"): ("page_number", "data"),
    ("get", "/companies/scroll"): ("scroll", "data"),
    ("get", "/contacts/{contact_id}/companies"): ("page_number", "companies"),
    ("get", "/contacts/{contact_id}/notes"): ("page_number", "data"),
    ("post", "/contacts/search"): ("search", "data"),
    ("get", "/contacts"): ("cursor", "data"),
    ("get", "/conversations"): ("cursor", "conversations"),
    ("post", "/conversations/search"): ("search", "conversations"),
    ("get", "/events"): ("next_url", "events"),
    ("get", "/news/news_items"): ("cursor", "data"),
    ("get", "/news/newsfeeds/{newsfeed_id}/items"): ("cursor", "data"),
    ("get", "/news/newsfeeds"): ("cursor", "data"),
    ("get", "/segments"): ("cursor", "segments"),
    ("post", "/tickets/search"): ("search", "tickets"),
    ("get", "/ai/content_import_sources"): ("cursor", "data"),
    ("get", "/ai/external_pages"): ("cursor", "data"),
}

# Search operations: the object kind of `intercom::search` (typed query builder overload of `search_all`).
SEARCH_KINDS = {
    ("post", "/contacts/search"): "contacts",
    ("post", "/conversations/search"): "conversations",
    ("post", "/tickets/search"): "tickets",
}
