import { testCatalogTemplate } from "./template";

testCatalogTemplate("public-web-service");
